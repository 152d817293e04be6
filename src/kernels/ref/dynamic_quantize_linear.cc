// DynamicQuantizeLinear reference kernel, the ONNX formula in float32: scale
// and zero point from min(0, min(x)) and max(0, max(x)) as
// quant::DynamicQuantizeParams states them, then
//   y = saturate(round_half_even(x / scale) + zero_point).
// NaN elements are ignored when taking the range and quantize to the zero
// point; an infinite element makes the scale infinite (every finite x then
// maps to the zero point), which is what the formula gives.
#include "kernels/kernel.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref::dynamic_quantize_linear {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::span<const float> in = x.span<float>();
  const quant::RealRange range = quant::DynamicQuantizeRange(in);
  const quant::AffineParams params = quant::DynamicQuantizeParams(range.lo, range.hi);
  const float scale = params.scale;
  const int32_t zero_point = params.zero_point;
  constexpr int32_t kQmin = 0, kQmax = 255;

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
