// Validation of the (scale, zero point) inputs of the ONNX quantization ops,
// shared by their shape inference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "ops/infer.h"

namespace qforge::ops {

// True for a scalar or a 1-element 1-D type: one (scale, zero point) for the
// whole tensor (ONNX Runtime treats [1] as per-tensor too).
bool IsPerTensorType(const ir::TensorType& t);

// How many (scale, zero point) pairs an operand may carry.
struct QuantGranularity {
  bool per_tensor_only = true;
  int64_t channels = -1;  // the required 1-D length when per-axis (kDynamicDim: not checked)
};

// Checks input `scale_index` is float32 and per-tensor or, when allowed, 1-D
// of `channels` elements; and that the zero point `zp_index` (if present)
// has a dtype in `zp_dtypes` (its operand's; InvalidModel otherwise) and as
// many elements as the scale (InvalidModel otherwise). `what` names the
// operand ("y").
Status CheckScaleAndZeroPoint(const InferContext& ctx, size_t scale_index, size_t zp_index,
                              QuantGranularity granularity, std::initializer_list<DataType> zp_dtypes,
                              const char* what);

// A zero point without a scale (ConvInteger, MatMulInteger), if present:
// input `operand`'s dtype (InvalidModel otherwise), and scalar/[1] or, when
// granularity allows, 1-D of granularity.channels elements.
Status CheckZeroPoint(const InferContext& ctx, size_t index, size_t operand, QuantGranularity granularity,
                      const char* what);

// The (scale, zero point) of an operand when both are known constants
// (per axis along `axis` when the scale has more than one element); empty
// otherwise. Shape inference attaches it to quantized outputs so that passes
// and printers see the parameters without chasing inputs.
QuantParams KnownQuantParams(const InferContext& ctx, size_t scale_index, size_t zp_index, int axis);

}  // namespace qforge::ops
