// The integer and hybrid reference Conv (docs/design/quantized_ir.md), run by
// kernels::ref::conv::Run when its input types select them.
#pragma once

#include "kernels/kernel.h"

namespace qforge::kernels::ref {

// int8/uint8 X (per tensor), int8 W (per tensor or per output channel, zero
// point 0), optional int32 B (scale S_x * S_w[c]) -> int8/uint8 Y with the
// output's declared (S, Z). QUANT_SPEC 3:
//   acc[c] = B[c] + sum((q_x - Z_x) * q_w) in int32 (padding contributes
//   nothing, as if padded with Z_x), then ChannelRequant. Any number of
//   spatial dims, groups (depthwise included), strides, dilations and pads
//   as the float Conv.
Status RunIntegerConv(KernelContext& ctx);

// float32 X quantized per inference (DynamicQuantizeLinear), int8 W, float32
// B -> float32 Y = float(acc) * (S_x * S_w[c]) + B[c].
Status RunHybridConv(KernelContext& ctx);

}  // namespace qforge::kernels::ref
