// The integer convolution shared by ConvInteger and QLinearConv: plain loops
// over zero-point-centered int32 values, any number of spatial dims.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ops/conv_attrs.h"

namespace qforge::kernels::ref {

// acc[n, m, o...] = sum over the group's input channels c and kernel
// positions k of x[n, c, o * stride - pad_begin + k * dilation] * w[m, c, k],
// where x and w are already centered (zero point subtracted) so padding
// contributes 0 (ONNX pads with the zero point). Accumulates in int64: no
// overflow for any tensor that fits in memory. Sizes must match `g`
// (QF_CHECKed; the kernels resolve g from the same tensors).
std::vector<int64_t> IntegerConv(std::span<const int32_t> x, std::span<const int32_t> w,
                                 const ops::ConvShape& g);

}  // namespace qforge::kernels::ref
