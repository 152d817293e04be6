// Shared pieces of the integer and hybrid reference kernels of Conv, Gemm and
// MatMul (docs/design/quantized_ir.md): the per-output-channel requantization
// of QUANT_SPEC 3 and the per-inference activation quantization of the
// hybrid (dynamic-range) form. These are the oracle optimized kernels are
// tested against, so they favour the obvious over the fast.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"
#include "qforge/tensor.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref {

// The output stage of an integer Conv/Gemm/MatMul, per output channel c:
//   acc = int32(sum + bias[c])        (wraps as int32 accumulation would)
//   q   = clamp(Z_y + MultiplyByQuantizedMultiplier(acc, M0[c], shift[c]), limits)
// with M[c] = double(S_x) * double(S_w[c]) / double(S_y) and limits the
// output type's range narrowed by the node's fused activation.
struct ChannelRequant {
  std::vector<Rescaler> multipliers;  // one per channel, or one for all (graph's requantization rule)
  std::vector<int32_t> bias;          // one per channel, or empty
  int32_t output_zero_point = 0;
  quant::QuantLimits limits;

  int32_t Apply(int64_t sum, int64_t channel) const;
};

// Builds the output stage of ctx's node from the input's and the weight's
// parameters, the optional int32 bias (`channels` elements) and the output
// tensor's parameters (ctx.out(0).quant(), copied from the declared value
// type). An error naming the node when the output has no (or per-axis)
// parameters, when sizes disagree with `channels`, or when a multiplier
// cannot be represented (QuantizeMultiplier).
Status MakeChannelRequant(const KernelContext& ctx, const QuantParams& x, const QuantParams& w,
                          const Tensor* bias, int64_t channels, ChannelRequant* out);

// The quantization parameters of input i: the tensor's (the runtime copies
// them from the value types), else, for a tensor that arrived without them
// (a graph input fed by the caller), the declared type's.
const QuantParams& InputQuant(const KernelContext& ctx, size_t i);

// The weight scale of output channel c (per tensor: the one scale).
inline float ChannelScale(const QuantParams& w, int64_t c) {
  return w.scale[w.scale.size() == 1 ? 0 : static_cast<size_t>(c)];
}

// An error unless `w` has one scale or `channels` scales.
Status CheckWeightScales(const KernelContext& ctx, const QuantParams& w, int64_t channels);

// The per-tensor zero point (0 when absent).
int32_t ZeroPointOf(const QuantParams& q);

// The activation quantization of the hybrid form, exactly ONNX
// DynamicQuantizeLinear (uint8), all in float32:
//   lo = min(0, min(x)), hi = max(0, max(x)), S = (hi - lo) / 255,
//   Z = clamp(round_half_even((0 - lo) / S), 0, 255),
//   q = clamp(round_half_even(x / S) + Z, 0, 255).
// When hi == lo == 0 (an all-zero input) S is 1, as in ONNX Runtime: every q
// is then Z = 0, the accumulators are 0 and the output is the bias; nothing is
// ever divided by zero. NaN elements are ignored by the range and quantize to
// Z, as DynamicQuantizeLinear's kernel does.
struct DynamicQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
  std::vector<int32_t> centered;  // q - Z per element of x
};
DynamicQuant QuantizeDynamic(std::span<const float> x);

// The hybrid output of one element: float(acc) * (S_x * S_w[c]) + bias, where
// acc is the int32 accumulator and the scale product is one float32 multiply,
// the order of ONNX Runtime's DynamicQuantizeLinear -> ConvInteger/MatMulInteger
// -> Cast -> Mul -> Add. `has_bias` false skips the addition (so -0 stays -0).
float HybridOutput(int64_t sum, float x_scale, float w_scale, bool has_bias, float bias);

}  // namespace qforge::kernels::ref
