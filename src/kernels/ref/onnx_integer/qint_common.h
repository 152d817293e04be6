// Helpers of the reference integer kernels (QuantizeLinear ... MatMulInteger):
// reading quantization parameters, widening quantized tensors to int32 with
// their zero points subtracted, and storing int32 results into the output
// dtype. Shape inference has checked dtypes and sizes; the kernels still
// re-check the sizes they index with (cheap) and return a Status on mismatch.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "qforge/tensor.h"

namespace qforge::kernels::ref {

// The float32 scale values.
std::vector<float> ReadScales(const Tensor& t);

// The zero points as int32; an absent zero point (nullptr) is {0}.
std::vector<int32_t> ReadZeroPoints(const Tensor* t);

// t's elements minus their zero point, as int32. zero_points has 1 element
// (per tensor) or dims[axis] elements (per axis). The difference of two
// values of a <= 16-bit type cannot overflow; for int32 tensors it is
// computed in int64 and wraps to int32 (only reachable with non-zero int32
// zero points, which ONNX does not produce).
std::vector<int32_t> CenteredValues(const Tensor& t, std::span<const int32_t> zero_points, int axis);

// Splits dims around `axis` into (outer, channels, inner) element counts.
void SplitAtAxis(const std::vector<int64_t>& dims, int axis, int64_t* outer, int64_t* channels,
                 int64_t* inner);

// Writes values (already in range of out's dtype: int8/uint8/int16/int32)
// into out, element by element.
void StoreInts(std::span<const int32_t> values, Tensor* out);

// The low 32 bits of a 64-bit accumulator, as two's complement int32
// (what int32 accumulation would have produced had it wrapped).
inline int32_t WrapToInt32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

}  // namespace qforge::kernels::ref
