// MatMul shape rules shared by the MatMul family and the integer/quantized
// matmuls: numpy matmul semantics (1-D operands promoted then squeezed,
// leading batch dims broadcast). Also the classification of the float,
// integer and hybrid forms of Conv, Gemm and MatMul (ClassifyLinear).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "qforge/status.h"

namespace qforge::ops {

struct MatMulShape {
  std::vector<int64_t> a_batch, b_batch;  // batch dims of each operand (may be shorter than out_batch)
  std::vector<int64_t> out_batch;         // broadcast batch dims
  int64_t m = 0, k = 0, n = 0;
  bool a_vector = false, b_vector = false;  // 1-D operands: their unit dim is dropped from the output
  std::vector<int64_t> OutputDims() const;
};

// Computes the matmul shape of `a` and `b` (dims may be kDynamicDim). Error
// messages carry no node prefix.
Status ComputeMatMulShape(const std::vector<int64_t>& a, const std::vector<int64_t>& b, MatMulShape* out);

}  // namespace qforge::ops

// ---------------------------------------------------------------------------
// Quantized operands of Conv, Gemm and MatMul (docs/design/quantized_ir.md).
// Kept next to the MatMul shape rules because the three linear families share
// them; each family's Infer classifies its node with ClassifyLinear.

namespace qforge::ops {

struct InferContext;

// How a Conv/Gemm/MatMul node computes, decided by its input types.
enum class LinearForm {
  kFloat,    // float32/float64 everywhere: the float kernel
  kInteger,  // int8/uint8 activation, int8 weight, int32 bias -> int8/uint8 (QUANT_SPEC 3)
  kHybrid,   // float32 activation, int8 weight, float32 bias -> float32 (dynamic range)
};

// Where the weight operand sits and how its output channels are laid out.
struct LinearOperands {
  size_t weight = 1;                      // input index of the weight
  int weight_axis = 0;                    // the output-channel axis of the weight (per-axis quantization)
  int bias = -1;                          // input index of the bias, -1 if the family has none
  bool weight_may_be_activation = false;  // MatMul: B may be a quantized activation
};

// Classifies the node from the types of input 0, the weight and the bias,
// and validates the quantized operands of the integer and hybrid forms:
// - integer: input 0 int8/uint8 quantized per tensor; the weight int8
//   quantized, zero point 0, per tensor or per axis along weight_axis (or,
//   with weight_may_be_activation, a per-tensor quantized value of input 0's
//   dtype with any zero point, when it is not a constant); the bias int32
//   quantized, zero point 0, scale[c] within a relative 1e-3 of
//   S_x * S_w[c].
// - hybrid: input 0 float32, the weight as above (int8, zero point 0), the
//   bias float32.
// - float: input 0 float32/float64 and the weight (and bias) of its dtype.
// Unsupported for any other combination (naming the operand and its type),
// InvalidModel for quantization parameters that contradict each other.
Status ClassifyLinear(const InferContext& ctx, const LinearOperands& operands, LinearForm* form);

}  // namespace qforge::ops
