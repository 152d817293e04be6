// Quantization of constant tensors: weights (symmetric int8, per channel or
// per tensor), biases (int32 at S_input * S_weight) and float16 weights.
#pragma once

#include <span>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::quant {

// Symmetric int8 in the narrow range [-127, 127], zero point 0 (QUANT_SPEC 1
// and 2). axis >= 0: one scale per index along `axis`; axis < 0: per tensor.
// A channel that is all zeros gets scale 1 (its values stay 0).
// InvalidArgument for NaN/Inf weights.
Result<Tensor> QuantizeWeightSymmetric(const Tensor& w, int axis);

// Asymmetric per-tensor quantization of a constant operand (e.g. the
// constant side of an Add) to `dtype` (int8/uint8) from its own min/max.
Result<Tensor> QuantizeConstantAsymmetric(const Tensor& t, DataType dtype);

// Quantizes a float bias to int32 with scale[c] = input_scale * weight
// scale[c] (one weight scale: per tensor) and zero point 0, rounding half
// away from zero and saturating to int32.
Result<Tensor> QuantizeBias(const Tensor& bias, float input_scale, std::span<const float> weight_scales);

// float32 -> float16 (round to nearest even). A value beyond the float16
// range would become +-inf and change the model's meaning: Unsupported (the
// float16 mode keeps that node in float); NaN or Inf is InvalidArgument.
Result<Tensor> ToFloat16(const Tensor& t);

// Quantizes `t` with given parameters (per tensor or along params.axis),
// rounding half away from zero, into `dtype`.
Result<Tensor> QuantizeTensor(const Tensor& t, const QuantParams& params, DataType dtype);

}  // namespace qforge::quant
