#include "kernels/xnnpack/xnn_common.h"

#include <mutex>

#include "qscheme/fused_activation.h"

namespace qforge::kernels::xnn {

bool Available() {
  static const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  return ok;
}

bool IsNhwc(const ir::Node& node) { return node.attrs.GetString("qf_layout", "") == "NHWC"; }

void OperatorDeleter::operator()(xnn_operator* op) const { xnn_delete_operator(op); }

bool PerTensorQuant(const ir::TensorType& t, float* scale, int32_t* zero_point) {
  if (t.quant.scale.size() != 1 || t.quant.per_axis()) return false;
  *scale = t.quant.scale[0];
  *zero_point = t.quant.zero_point.empty() ? 0 : static_cast<int32_t>(t.quant.zero_point[0]);
  return true;
}

void FloatLimits(const ir::Node& node, float* lo, float* hi) {
  const quant::ActivationRange r = quant::FusedActivation(node);
  *lo = r.min;
  *hi = r.max;
}

void Int8Limits(const ir::Node& node, float scale, int32_t zero_point, int8_t* lo, int8_t* hi) {
  const quant::QuantLimits l =
      quant::QuantizedActivationLimits(quant::FusedActivation(node), scale, zero_point, {-128, 127});
  *lo = static_cast<int8_t>(l.qmin);
  *hi = static_cast<int8_t>(l.qmax);
}

Status Failed(const KernelContext& ctx, const char* call, xnn_status status) {
  return Internal(ctx.graph->Describe(*ctx.node) + ": " + call + " failed (XNNPACK status " +
                  std::to_string(static_cast<int>(status)) + ")");
}

}  // namespace qforge::kernels::xnn
