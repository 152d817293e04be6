// MaxPool, AveragePool (windowed, 1-3 spatial dims) and GlobalAveragePool,
// GlobalMaxPool (whole spatial extent) over X (N, C, D1..Dk).
#include "ops/conv_attrs.h"
#include "ops/infer.h"

namespace qforge::ops::pool {

namespace {

Status InferGlobal(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
  const ir::TensorType& x = ctx.input(0);
  if (!x.rank_known) {
    ctx.outputs[0].dtype = x.dtype;
    return Status::Ok();
  }
  if (x.rank() < 3) return ctx.Invalid("input " + DimsToString(x.dims) + " has rank below 3 (N, C, spatial)");
  std::vector<int64_t> dims(x.dims.size(), 1);
  dims[0] = x.dims[0];
  dims[1] = x.dims[1];
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  const OpKind op = ctx.node->op;
  if (op == OpKind::kGlobalAveragePool || op == OpKind::kGlobalMaxPool) return InferGlobal(ctx);
  if (op == OpKind::kMaxPool) {
    QF_RETURN_IF_ERROR(
        RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64, DataType::kInt8, DataType::kUInt8}));
    if (ctx.attrs().GetInt("storage_order", 0) != 0) return ctx.Unsupported("MaxPool storage_order=1");
    if (ctx.outputs.size() > 1) return ctx.Unsupported("the MaxPool Indices output");
  } else {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
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
  WindowGeometry g;
  QF_RETURN_IF_ERROR(WithNode(ctx, ResolveForwardWindow(wa, {x.dims.begin() + 2, x.dims.end()}, &g)));
  std::vector<int64_t> dims = {x.dims[0], x.dims[1]};
  dims.insert(dims.end(), g.out.begin(), g.out.end());
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace qforge::ops::pool
