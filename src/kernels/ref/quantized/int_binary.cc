// Quantized Add / Sub / Mul (QUANT_SPEC 3; TFLite's reference integer
// kernels). Add/Sub bring both inputs to a common scale 2 * max(S1, S2)
// after a 20-bit left shift, which keeps ~20 bits of precision in each
// rescaled input; the sum is then requantized to the output once.
// Max / Min compare codes: inputs and output share one (S, Z).
#include <algorithm>
#include <array>
#include <string>

#include "core/int_element.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "qscheme/fused_activation.h"

namespace qforge::kernels::ref {

namespace {
constexpr int kAddLeftShift = 20;
}  // namespace

Status RunQuantizedBinary(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Tensor& y = ctx.out(0);
  TensorQuant qa, qb, qy;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, a, "input 0", &qa));
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, b, "input 1", &qb));
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, y, "the output", &qy));
  if (a.dtype() != b.dtype() || a.dtype() != y.dtype() || a.dtype() == DataType::kInt16) {
    return ctx.Error("quantized inputs and output must all be int8 or all uint8");
  }
  const quant::QuantLimits act =
      quant::QuantizedActivationLimits(quant::FusedActivation(*ctx.node), qy.scale, qy.zero_point, qy.limits);
  const OpKind op = ctx.node->op;
  const std::vector<int64_t>& od = y.dims();
  const std::array<std::vector<int64_t>, 2> strides = {BroadcastStrides(a.dims(), od),
                                                       BroadcastStrides(b.dims(), od)};
  auto store = [&](int64_t i, int32_t scaled) {
    const int64_t v = static_cast<int64_t>(qy.zero_point) + scaled;
    SetIntElement(&y, i, static_cast<int32_t>(std::clamp<int64_t>(v, act.qmin, act.qmax)));
  };
  if (op == OpKind::kMul) {
    Rescaler m;
    QF_RETURN_IF_ERROR(MakeRescaler(
        ctx, static_cast<double>(qa.scale) * static_cast<double>(qb.scale) / static_cast<double>(qy.scale),
        qa.scale * qb.scale / qy.scale, "output (S1 * S2 / S_out)", &m));
    ForEachStrided<2>(od, strides, [&](int64_t i, const std::array<int64_t, 2>& off) {
      // |q - Z| <= 255 for 8-bit types: the product fits int32.
      const int32_t acc =
          (IntElement<int32_t>(a, off[0]) - qa.zero_point) * (IntElement<int32_t>(b, off[1]) - qb.zero_point);
      store(i, m(acc));
    });
    return Status::Ok();
  }
  const bool sub = op == OpKind::kSub;
  if (RuleOf(ctx) == ir::Requantization::kFloat) {
    // ONNX's meaning (ONNX Runtime's QLinearAdd): both inputs rescaled to the
    // output scale in float32, summed, rounded half to even.
    const float ra = qa.scale / qy.scale, rb = qb.scale / qy.scale;
    ForEachStrided<2>(od, strides, [&](int64_t i, const std::array<int64_t, 2>& off) {
      const float va = static_cast<float>(IntElement<int32_t>(a, off[0]) - qa.zero_point) * ra;
      const float vb = static_cast<float>(IntElement<int32_t>(b, off[1]) - qb.zero_point) * rb;
      const double r = quant::RoundToIntegral(static_cast<double>(sub ? va - vb : va + vb),
                                              quant::RoundingRule::kHalfToEven);
      store(i, static_cast<int32_t>(std::clamp(r, -65536.0, 65536.0)));
    });
    return Status::Ok();
  }
  const double twice_max = 2.0 * std::max(static_cast<double>(qa.scale), static_cast<double>(qb.scale));
  quant::QuantizedMultiplier ma, mb, mo;
  QF_RETURN_IF_ERROR(MultiplierFor(ctx, static_cast<double>(qa.scale) / twice_max, "input 0", &ma));
  QF_RETURN_IF_ERROR(MultiplierFor(ctx, static_cast<double>(qb.scale) / twice_max, "input 1", &mb));
  QF_RETURN_IF_ERROR(MultiplierFor(
      ctx, twice_max / (static_cast<double>(1 << kAddLeftShift) * static_cast<double>(qy.scale)), "output",
      &mo));
  ForEachStrided<2>(od, strides, [&](int64_t i, const std::array<int64_t, 2>& off) {
    // (q - Z) * 2^20 fits int32 for 8-bit types (|q - Z| <= 255 < 2^11).
    const int32_t sa = (IntElement<int32_t>(a, off[0]) - qa.zero_point) * (1 << kAddLeftShift);
    const int32_t sb = (IntElement<int32_t>(b, off[1]) - qb.zero_point) * (1 << kAddLeftShift);
    const int32_t ra = quant::MultiplyByQuantizedMultiplier(sa, ma.multiplier, ma.shift);
    const int32_t rb = quant::MultiplyByQuantizedMultiplier(sb, mb.multiplier, mb.shift);
    // Each rescaled input is at most 2^30 in magnitude (multiplier <= 1/2), so the sum fits.
    const int32_t sum = sub ? ra - rb : ra + rb;
    store(i, quant::MultiplyByQuantizedMultiplier(sum, mo.multiplier, mo.shift));
  });
  return Status::Ok();
}

Status RunQuantizedMinMax(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  TensorQuant qy;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, y, "the output", &qy));
  for (size_t k = 0; k < ctx.inputs.size(); ++k) {
    const std::string what = "input " + std::to_string(k);
    TensorQuant qk;
    QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, ctx.in(k), what, &qk));
    if (ctx.in(k).dtype() != y.dtype() || qk.scale != qy.scale || qk.zero_point != qy.zero_point) {
      return ctx.Error(what + " has another dtype, scale or zero point than the output: " +
                       std::string(OpName(ctx.node->op)) + " compares codes of one (S, Z)");
    }
  }
  const bool is_max = ctx.node->op == OpKind::kMax;
  const std::vector<int64_t>& od = y.dims();
  const Tensor& first = ctx.in(0);
  ForEachStrided<1>(od, {BroadcastStrides(first.dims(), od)},
                    [&](int64_t i, const std::array<int64_t, 1>& off) {
                      SetIntElement(&y, i, IntElement<int32_t>(first, off[0]));
                    });
  for (size_t k = 1; k < ctx.inputs.size(); ++k) {
    const Tensor& b = ctx.in(k);
    ForEachStrided<1>(od, {BroadcastStrides(b.dims(), od)},
                      [&](int64_t i, const std::array<int64_t, 1>& off) {
                        const int32_t acc = IntElement<int32_t>(y, i), v = IntElement<int32_t>(b, off[0]);
                        SetIntElement(&y, i, is_max ? std::max(acc, v) : std::min(acc, v));
                      });
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
