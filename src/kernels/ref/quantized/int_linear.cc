#include "kernels/ref/quantized/int_linear.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/ref/onnx_integer/qint_common.h"
#include "qscheme/fused_activation.h"

namespace qforge::kernels::ref {

int32_t ChannelRequant::Apply(int64_t sum, int64_t channel) const {
  const size_t c = static_cast<size_t>(channel);
  const int64_t b = bias.empty() ? 0 : bias[c];
  const int32_t acc = WrapToInt32(sum + b);
  const Rescaler& m = multipliers[multipliers.size() == 1 ? 0 : c];
  const int64_t q = int64_t{output_zero_point} + m(acc);
  return static_cast<int32_t>(std::clamp<int64_t>(q, limits.qmin, limits.qmax));
}

const QuantParams& InputQuant(const KernelContext& ctx, size_t i) {
  const QuantParams& q = ctx.in(i).quant();
  const ir::ValueId id = ctx.node->input(i);
  if (!q.empty() || ctx.graph == nullptr || id == ir::kNoValue) return q;
  return ctx.graph->value(id).type.quant;
}

int32_t ZeroPointOf(const QuantParams& q) {
  return q.zero_point.empty() ? 0 : static_cast<int32_t>(q.zero_point[0]);
}

Status CheckWeightScales(const KernelContext& ctx, const QuantParams& w, int64_t channels) {
  if (w.scale.size() != 1 && static_cast<int64_t>(w.scale.size()) != channels) {
    return ctx.Error("weight has " + std::to_string(w.scale.size()) + " scales for " +
                     std::to_string(channels) + " output channels");
  }
  return Status::Ok();
}

Status MakeChannelRequant(const KernelContext& ctx, const QuantParams& x, const QuantParams& w,
                          const Tensor* bias, int64_t channels, ChannelRequant* out) {
  const Tensor& y = *ctx.outputs[0];
  const QuantParams& yq = y.quant();
  if (yq.empty()) {
    return ctx.Error(std::string("output ") + DataTypeName(y.dtype()) +
                     " has no quantization parameters (declare its scale and zero point on the value type)");
  }
  if (yq.scale.size() != 1 || yq.zero_point.size() > 1) {
    return ctx.Error("output must be quantized per tensor, got " + std::to_string(yq.scale.size()) +
                     " scales");
  }
  if (x.scale.size() != 1) return ctx.Error("input must be quantized per tensor");
  QF_RETURN_IF_ERROR(CheckWeightScales(ctx, w, channels));
  Result<quant::QuantLimits> type_limits = quant::LimitsOf(y.dtype());
  if (!type_limits.ok()) return ctx.Error(type_limits.status().message());
  const float y_scale = yq.scale[0];
  const int32_t y_zero = ZeroPointOf(yq);
  if (!(y_scale > 0.0f) || std::isinf(y_scale)) {
    return ctx.Error("output scale " + std::to_string(y_scale) + " is not a finite positive number");
  }
  if (y_zero < type_limits->qmin || y_zero > type_limits->qmax) {
    return ctx.Error("output zero point " + std::to_string(y_zero) + " is outside the range of " +
                     DataTypeName(y.dtype()));
  }
  out->output_zero_point = y_zero;
  out->limits =
      quant::QuantizedActivationLimits(quant::FusedActivation(*ctx.node), y_scale, y_zero, *type_limits);

  out->multipliers.clear();
  for (size_t c = 0; c < w.scale.size(); ++c) {
    const double real = static_cast<double>(x.scale[0]) * static_cast<double>(w.scale[c]) / y_scale;
    Result<quant::QuantizedMultiplier> m = quant::QuantizeMultiplier(real);
    if (!m.ok()) {
      return ctx.Error("output channel " + std::to_string(c) +
                       ": requantization multiplier S_x * S_w / S_y = " + std::to_string(real) +
                       " cannot be represented: " + m.status().message());
    }
    Rescaler r;
    r.rule = RuleOf(ctx);
    r.fixed = *m;
    r.real = x.scale[0] * w.scale[c] / y_scale;  // float32, in ONNX Runtime's order
    out->multipliers.push_back(r);
  }

  out->bias.clear();
  if (bias != nullptr) {
    if (bias->dtype() != DataType::kInt32 || bias->num_elements() != channels) {
      return ctx.Error("bias " + std::string(DataTypeName(bias->dtype())) + " " + bias->ShapeString() +
                       " is not int32 with one value per output channel (" + std::to_string(channels) + ")");
    }
    std::span<const int32_t> b = bias->span<int32_t>();
    out->bias.assign(b.begin(), b.end());
  }
  return Status::Ok();
}

DynamicQuant QuantizeDynamic(std::span<const float> x) {
  const quant::RealRange range = quant::DynamicQuantizeRange(x);
  const quant::AffineParams params = quant::DynamicQuantizeParams(range.lo, range.hi);
  constexpr int32_t kQmin = 0, kQmax = 255;
  DynamicQuant d;
  d.scale = params.scale;
  d.zero_point = params.zero_point;
  d.centered.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    d.centered[i] =
        quant::QuantizeValue(x[i], d.scale, d.zero_point, kQmin, kQmax, quant::RoundingRule::kHalfToEven) -
        d.zero_point;
  }
  return d;
}

float HybridOutput(int64_t sum, float x_scale, float w_scale, bool has_bias, float bias) {
  // Three separate float32 operations in ONNX Runtime's order. (No FMA
  // contraction: the library is built for baseline x86-64, which has none.)
  const float scale = x_scale * w_scale;
  const float scaled = static_cast<float>(WrapToInt32(sum)) * scale;
  return has_bias ? scaled + bias : scaled;
}

}  // namespace qforge::kernels::ref
