#include <array>

#include "quant/fused_activation.h"
#include "runtime/kernels/kernel.h"

namespace qforge::kernels::ref {

namespace {
constexpr std::array<KernelFn, static_cast<size_t>(OpKind::kCount)> kKernels = {{
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) &family::Run,
#include "ops/ops.def"
#undef QF_OP
}};
}  // namespace

KernelFn GetKernel(OpKind op) { return kKernels[static_cast<size_t>(op)]; }

Status RunKernel(KernelContext& ctx) {
  QF_RETURN_IF_ERROR(GetKernel(ctx.node->op)(ctx));
  // A fused activation on a float result is applied here, once for every
  // family; integer kernels clamp in their requantization instead.
  const quant::ActivationRange act = quant::FusedActivation(*ctx.node);
  if (!act.unbounded() && !ctx.outputs.empty() && ctx.outputs[0] != nullptr &&
      ctx.outputs[0]->dtype() == DataType::kFloat32) {
    quant::ApplyActivation(act, ctx.outputs[0]);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
