// DynamicQuantizeLinear reference kernel, the ONNX formula in float32:
//   lo = min(0, min(x)), hi = max(0, max(x))
//   scale = (hi - lo) / 255            (1 when hi == lo == 0, as ONNX Runtime)
//   zero_point = saturate(round_half_even((0 - lo) / scale))
//   y = saturate(round_half_even(x / scale) + zero_point)
// NaN elements are ignored when taking the range and quantize to the zero
// point; an infinite element makes the scale infinite (every finite x then
// maps to the zero point), which is what the formula gives.
#include <algorithm>
#include <cmath>

#include "quant/arithmetic.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/ref/qint_common.h"

namespace qforge::kernels::ref::dynamic_quantize_linear {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::span<const float> in = x.span<float>();
  float lo = 0.0f, hi = 0.0f;
  for (float v : in) {
    if (std::isnan(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  constexpr int32_t kQmin = 0, kQmax = 255;
  const float scale = hi == lo ? 1.0f : (hi - lo) / static_cast<float>(kQmax - kQmin);
  const float initial_zero_point = (static_cast<float>(kQmin) - lo) / scale;
  const double rounded = quant::RoundToIntegral(initial_zero_point, quant::RoundingRule::kHalfToEven);
  const int32_t zero_point =
      std::isnan(rounded) ? kQmin : static_cast<int32_t>(std::clamp<double>(rounded, kQmin, kQmax));

  std::vector<int32_t> q(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    q[i] = quant::QuantizeValue(in[i], scale, zero_point, kQmin, kQmax, quant::RoundingRule::kHalfToEven);
  }
  StoreInts(q, &ctx.out(0));
  if (ctx.outputs.size() > 1 && ctx.outputs[1] != nullptr) ctx.out(1).data<float>()[0] = scale;
  if (ctx.outputs.size() > 2 && ctx.outputs[2] != nullptr) {
    ctx.out(2).data<uint8_t>()[0] = static_cast<uint8_t>(zero_point);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::dynamic_quantize_linear
