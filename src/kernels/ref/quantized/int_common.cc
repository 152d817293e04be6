#include "kernels/ref/quantized/int_common.h"

#include <algorithm>
#include <cmath>

namespace qforge::kernels::ref {

bool IsQuantized(const Tensor& t) {
  const DataType d = t.dtype();
  const bool int_type =
      d == DataType::kInt8 || d == DataType::kUInt8 || d == DataType::kInt16 || d == DataType::kInt32;
  return int_type && !t.quant().empty();
}

Status ReadTensorQuant(const KernelContext& ctx, const Tensor& t, const std::string& what, TensorQuant* out) {
  const QuantParams& q = t.quant();
  if (q.empty()) return ctx.Error(what + " has no quantization parameters (scale, zero point)");
  if (q.per_axis() || q.scale.size() != 1 || q.zero_point.size() > 1) {
    return ctx.Error(what + " has per-axis quantization parameters; this op needs per-tensor ones");
  }
  const DataType d = t.dtype();
  if (d != DataType::kInt8 && d != DataType::kUInt8 && d != DataType::kInt16) {
    return ctx.Error(what + " has dtype " + DataTypeName(d) + "; quantized int8, uint8 or int16 is needed");
  }
  Result<quant::QuantLimits> limits = quant::LimitsOf(d);
  if (!limits.ok()) return ctx.Error(what + ": " + limits.status().message());
  out->limits = *limits;
  out->scale = q.scale[0];
  if (!(std::isfinite(out->scale) && out->scale > 0)) {
    return ctx.Error(what + " has scale " + std::to_string(out->scale) + " (must be positive and finite)");
  }
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  if (zp < out->limits.qmin || zp > out->limits.qmax) {
    return ctx.Error(what + " has zero point " + std::to_string(zp) + " outside its " + DataTypeName(d) +
                     " range");
  }
  out->zero_point = static_cast<int32_t>(zp);
  return Status::Ok();
}

Status MultiplierFor(const KernelContext& ctx, double real, const std::string& what,
                     quant::QuantizedMultiplier* out) {
  Result<quant::QuantizedMultiplier> m = quant::QuantizeMultiplier(real);
  if (!m.ok()) {
    return ctx.Error(what + " multiplier " + std::to_string(real) +
                     " cannot be represented in fixed point (" + m.status().message() + ")");
  }
  *out = *m;
  return Status::Ok();
}

int32_t Requantizer::operator()(int32_t q) const {
  if (rule == ir::Requantization::kFloat) {
    const float r = quant::DequantizeValue(q, in_scale, in_zero_point);
    return quant::QuantizeValue(r, out_scale, out_zero_point, limits.qmin, limits.qmax,
                                quant::RoundingRule::kHalfToEven);
  }
  const int32_t scaled =
      quant::MultiplyByQuantizedMultiplier(q - in_zero_point, multiplier.multiplier, multiplier.shift);
  // Z_out + scaled in int64: a saturated product plus a zero point must clamp, not wrap.
  const int64_t v = static_cast<int64_t>(out_zero_point) + scaled;
  return static_cast<int32_t>(std::clamp<int64_t>(v, limits.qmin, limits.qmax));
}

Status MakeRequantizer(const KernelContext& ctx, const TensorQuant& in, const TensorQuant& out,
                       Requantizer* r) {
  r->rule = RuleOf(ctx);
  r->in_zero_point = in.zero_point;
  r->out_zero_point = out.zero_point;
  r->in_scale = in.scale;
  r->out_scale = out.scale;
  r->limits = out.limits;
  return MultiplierFor(ctx, static_cast<double>(in.scale) / static_cast<double>(out.scale),
                       "requantization (S_in / S_out)", &r->multiplier);
}

int64_t Rescaler::operator()(int32_t acc) const {
  if (rule == ir::Requantization::kFloat) {
    const float product = static_cast<float>(acc) * real;
    const double r = quant::RoundToIntegral(static_cast<double>(product), quant::RoundingRule::kHalfToEven);
    return static_cast<int64_t>(std::clamp(r, -9.0e15, 9.0e15));  // callers clamp to the type
  }
  return quant::MultiplyByQuantizedMultiplier(acc, fixed.multiplier, fixed.shift);
}

ir::Requantization RuleOf(const KernelContext& ctx) {
  return ctx.graph != nullptr ? ctx.graph->requantization : ir::Requantization::kFixedPoint;
}

Status MakeRescaler(const KernelContext& ctx, double real, float real_f, const std::string& what,
                    Rescaler* out) {
  out->rule = RuleOf(ctx);
  out->real = real_f;
  return MultiplierFor(ctx, real, what, &out->fixed);
}

}  // namespace qforge::kernels::ref
