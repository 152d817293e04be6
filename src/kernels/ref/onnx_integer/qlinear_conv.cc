// QLinearConv reference kernel, scheme "fp32" (ONNX Runtime's): int32
// accumulation of centered operands plus the bias, then per output channel m
// y = saturate(round_half_even(float(acc) * (x_scale * w_scale[m] / y_scale)) + y_zero_point)
// with the multiplier computed in float32 in that order.
#include <algorithm>

#include "core/int_element.h"
#include "kernels/kernel.h"
#include "kernels/ref/onnx_integer/qconv_core.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "ops/conv_attrs.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref::qlinear_conv {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(3);
  Tensor& y = ctx.out(0);
  ops::ConvShape g;
  Status s = ops::ResolveConvShape(ctx.attrs(), x.dims(), w.dims(), &g, ops::PadsWithAutoPad::kIgnore);
  if (!s.ok()) return ctx.Error(s.message());
  const float x_scale = ctx.in(1).data<float>()[0];
  const std::vector<float> w_scale = ReadScales(ctx.in(4));
  const float y_scale = ctx.in(6).data<float>()[0];
  const std::vector<int32_t> x_zp = ReadZeroPoints(ctx.inputs[2]);
  const std::vector<int32_t> w_zp = ReadZeroPoints(ctx.inputs[5]);
  const int32_t y_zp = IntElement<int32_t>(ctx.in(7), 0);
  const size_t channels = static_cast<size_t>(g.out_channels);
  if (x_zp.size() != 1 || (w_scale.size() != 1 && w_scale.size() != channels) ||
      (w_zp.size() != 1 && w_zp.size() != channels) ||
      (ctx.has_in(8) && static_cast<size_t>(ctx.in(8).num_elements()) != channels)) {
    return ctx.Error("scale/zero point/bias sizes do not match the output channels");
  }
  Result<quant::QuantLimits> limits = quant::LimitsOf(y.dtype());
  if (!limits.ok()) return ctx.Error(limits.status().message());

  std::vector<int64_t> acc = IntegerConv(CenteredValues(x, x_zp, 0), CenteredValues(w, w_zp, 0), g);
  const int64_t plane = static_cast<int64_t>(acc.size()) / std::max<int64_t>(1, g.batch * g.out_channels);
  std::vector<int32_t> q(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t m = static_cast<size_t>((static_cast<int64_t>(i) / plane) % g.out_channels);
    const int64_t bias = ctx.has_in(8) ? ctx.in(8).data<int32_t>()[m] : 0;
    // Accumulate as int32 would (ONNX Runtime adds the bias to the int32 accumulator).
    const int32_t total = WrapToInt32(acc[i] + bias);
    const float multiplier = x_scale * w_scale[w_scale.size() == 1 ? 0 : m] / y_scale;
    q[i] = quant::RequantizeFloat(total, multiplier, y_zp, limits->qmin, limits->qmax);
  }
  StoreInts(q, &y);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::qlinear_conv
