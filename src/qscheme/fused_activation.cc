#include "qscheme/fused_activation.h"

#include <algorithm>
#include <cmath>

namespace qforge::quant {

bool ActivationRange::unbounded() const { return std::isinf(min) && min < 0 && std::isinf(max) && max > 0; }

ActivationRange FusedActivation(const ir::Node& node) {
  ActivationRange r;
  r.min = node.attrs.GetFloat(kActivationMin, r.min);
  r.max = node.attrs.GetFloat(kActivationMax, r.max);
  return r;
}

void FuseActivation(ir::Node* node, ActivationRange range) {
  const ActivationRange old = FusedActivation(*node);
  const float lo = std::max(old.min, range.min);
  const float hi = std::min(old.max, range.max);
  if (!std::isinf(lo)) node->attrs.Set(kActivationMin, lo);
  if (!std::isinf(hi)) node->attrs.Set(kActivationMax, hi);
}

void ApplyActivation(const ActivationRange& range, Tensor* t) {
  if (range.unbounded()) return;
  for (float& v : t->span<float>()) {
    if (v < range.min) v = range.min;
    if (v > range.max) v = range.max;
  }
}

QuantLimits QuantizedActivationLimits(const ActivationRange& range, float scale, int32_t zero_point,
                                      QuantLimits type_limits) {
  QuantLimits out = type_limits;
  if (!std::isinf(range.min)) {
    out.qmin = std::max(out.qmin, QuantizeValue(range.min, scale, zero_point, type_limits.qmin,
                                                type_limits.qmax, RoundingRule::kHalfAwayFromZero));
  }
  if (!std::isinf(range.max)) {
    out.qmax = std::min(out.qmax, QuantizeValue(range.max, scale, zero_point, type_limits.qmin,
                                                type_limits.qmax, RoundingRule::kHalfAwayFromZero));
  }
  if (out.qmin > out.qmax) out.qmax = out.qmin;
  return out;
}

}  // namespace qforge::quant
