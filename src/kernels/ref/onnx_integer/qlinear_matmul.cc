// QLinearMatMul reference kernel, scheme "fp32" (ONNX Runtime's): integer
// accumulation of centered operands, then per output element
// y = saturate(round_half_even(float(acc) * (a_scale * b_scale / y_scale)) + y_zero_point)
// with the multiplier computed in float32 in that order.
#include "core/int_element.h"
#include "kernels/kernel.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "kernels/ref/onnx_integer/qmatmul_core.h"
#include "ops/qmatmul_shape.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref::qlinear_matmul {

Status Run(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(3);
  Tensor& y = ctx.out(0);
  ops::MatMulGeometry g;
  Status s = ops::ResolveMatMulGeometry(a.dims(), b.dims(), &g);
  if (!s.ok()) return ctx.Error(s.message());
  const std::vector<float> a_scale = ReadScales(ctx.in(1));
  const std::vector<float> b_scale = ReadScales(ctx.in(4));
  const float y_scale = ctx.in(6).data<float>()[0];
  const std::vector<int32_t> a_zp = ReadZeroPoints(ctx.inputs[2]);
  const std::vector<int32_t> b_zp = ReadZeroPoints(ctx.inputs[5]);
  const int32_t y_zp = IntElement<int32_t>(ctx.in(7), 0);
  auto fits = [](size_t size, int64_t length) { return size == 1 || static_cast<int64_t>(size) == length; };
  if (!fits(a_scale.size(), g.m) || a_zp.size() != a_scale.size() || !fits(b_scale.size(), g.n) ||
      b_zp.size() != b_scale.size()) {
    return ctx.Error("scale/zero point sizes do not match the rows of a / columns of b");
  }
  Result<quant::QuantLimits> limits = quant::LimitsOf(y.dtype());
  if (!limits.ok()) return ctx.Error(limits.status().message());

  const std::vector<int32_t> ac = CenteredValues(a, a_zp, a.rank() - 2);
  const std::vector<int32_t> bc = CenteredValues(b, b_zp, b.rank() - 1);
  const std::vector<int64_t> acc = IntegerMatMul(ac, bc, g);
  std::vector<float> multipliers(static_cast<size_t>(g.m * g.n));
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      const float sa = a_scale[a_scale.size() == 1 ? 0 : static_cast<size_t>(i)];
      const float sb = b_scale[b_scale.size() == 1 ? 0 : static_cast<size_t>(j)];
      multipliers[static_cast<size_t>(i * g.n + j)] = sa * sb / y_scale;
    }
  }
  std::vector<int32_t> q(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    q[i] = quant::RequantizeFloat(WrapToInt32(acc[i]), multipliers[i % multipliers.size()], y_zp,
                                  limits->qmin, limits->qmax);
  }
  StoreInts(q, &y);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::qlinear_matmul
