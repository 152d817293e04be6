// MaxPool, AveragePool (windowed, 1-3 spatial dims) and GlobalAveragePool,
// GlobalMaxPool (whole spatial extent) over X (N, C, D1..Dk).
#include <string>

#include "ops/conv_attrs.h"
#include "ops/infer.h"
#include "ops/layout_infer.h"

namespace qforge::ops::pool {

namespace {

// A pool over an empty spatial extent has no value (the average divides by
// zero, the maximum has no element): refuse it rather than compute one.
Status CheckSpatialNotEmpty(InferContext& ctx, const ir::TensorType& x) {
  for (size_t i = 2; i < x.dims.size(); ++i) {
    if (x.dims[i] == 0) return ctx.Invalid("input " + DimsToString(x.dims) + " has an empty spatial dim");
  }
  return Status::Ok();
}

// Float types, or int8/uint8 when quantized (per tensor) for the integer kernels.
Status CheckInput(InferContext& ctx) {
  const ir::TensorType& x = ctx.input(0);
  if (!IsQuantized8(x)) return RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64});
  if (x.quant.per_axis() || x.quant.scale.size() != 1) return ctx.Unsupported("per-axis quantized input");
  return Status::Ok();
}

Status InferGlobal(InferContext& ctx) {
  QF_RETURN_IF_ERROR(CheckInput(ctx));
  const ir::TensorType& x = ctx.input(0);
  if (!x.rank_known) {
    ctx.outputs[0].dtype = x.dtype;
    return ctx.node->op == OpKind::kGlobalMaxPool ? KeepInputQuant(ctx) : Status::Ok();
  }
  if (x.rank() < 3) return ctx.Invalid("input " + DimsToString(x.dims) + " has rank below 3 (N, C, spatial)");
  QF_RETURN_IF_ERROR(CheckSpatialNotEmpty(ctx, x));
  std::vector<int64_t> dims(x.dims.size(), 1);
  dims[0] = x.dims[0];
  dims[1] = x.dims[1];
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  if (ctx.node->op == OpKind::kGlobalMaxPool) return KeepInputQuant(ctx);
  return Status::Ok();
}

Status InferWindow(InferContext& ctx) {
  const OpKind op = ctx.node->op;
  if (op == OpKind::kMaxPool) {
    QF_RETURN_IF_ERROR(
        RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64, DataType::kInt8, DataType::kUInt8}));
    if (ctx.attrs().GetInt("storage_order", 0) != 0) return ctx.Unsupported("MaxPool storage_order=1");
    if (ctx.outputs.size() > 1) return ctx.Unsupported("the MaxPool Indices output");
  } else {
    QF_RETURN_IF_ERROR(CheckInput(ctx));
    const int64_t cip = ctx.attrs().GetInt("count_include_pad", 0);
    if (cip != 0 && cip != 1) return ctx.Invalid("count_include_pad must be 0 or 1");
  }
  if (!ctx.attrs().Has("kernel_shape")) return ctx.Invalid("kernel_shape is required");
  const std::vector<int64_t> kernel = ctx.attrs().GetInts("kernel_shape");
  if (kernel.empty() || kernel.size() > 3) {
    return ctx.Unsupported("pooling with " + std::to_string(kernel.size()) + " spatial dims");
  }
  WindowAttrs wa;
  QF_RETURN_IF_ERROR(WithNode(ctx, ParseWindowAttrs(ctx.attrs(), kernel, &wa)));
  const ir::TensorType& x = ctx.input(0);
  if (!x.rank_known) {
    ctx.outputs[0] = MakeType(x.dtype, std::vector<int64_t>(kernel.size() + 2, ir::kDynamicDim));
    return Status::Ok();
  }
  if (x.rank() != static_cast<int>(kernel.size()) + 2) {
    return ctx.Invalid("input " + DimsToString(x.dims) + " does not match kernel_shape " +
                       DimsToString(kernel));
  }
  QF_RETURN_IF_ERROR(CheckSpatialNotEmpty(ctx, x));
  WindowGeometry g;
  QF_RETURN_IF_ERROR(WithNode(ctx, ResolveForwardWindow(wa, {x.dims.begin() + 2, x.dims.end()}, &g)));
  std::vector<int64_t> dims = {x.dims[0], x.dims[1]};
  dims.insert(dims.end(), g.out.begin(), g.out.end());
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  return Status::Ok();
}

Status InferNchw(InferContext& ctx) {
  const OpKind op = ctx.node->op;
  if (op == OpKind::kGlobalAveragePool || op == OpKind::kGlobalMaxPool) return InferGlobal(ctx);
  QF_RETURN_IF_ERROR(InferWindow(ctx));
  return KeepInputQuant(ctx);
}

}  // namespace

Status Infer(InferContext& ctx) { return InferWithLayout(ctx, InferNchw); }

}  // namespace qforge::ops::pool
