// Conv: X (N, C, D1..Dk), W (M, C/group, k1..kk), optional B (M).
// Float, integer (int8/uint8 X, int8 W, int32 B) and hybrid (float32 X,
// int8 W, float32 B) forms, chosen by the input types (ClassifyLinear).
#include <string>

#include "ops/conv_attrs.h"
#include "ops/infer.h"
#include "ops/layout_infer.h"
#include "ops/matmul.h"

namespace qforge::ops::conv {

namespace {

Status InferNchw(InferContext& ctx) {
  LinearForm form = LinearForm::kFloat;
  QF_RETURN_IF_ERROR(ClassifyLinear(ctx, {.weight = 1, .weight_axis = 0, .bias = 2}, &form));
  if (form == LinearForm::kFloat) {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {ctx.input(0).dtype}));
    if (ctx.has_input(2)) QF_RETURN_IF_ERROR(RequireDtype(ctx, 2, {ctx.input(0).dtype}));
  }
  const ir::TensorType& x = ctx.input(0);
  const ir::TensorType& w = ctx.input(1);
  const DataType out_dtype = form == LinearForm::kHybrid ? DataType::kFloat32 : x.dtype;
  if (!x.rank_known || !w.rank_known) {
    ir::TensorType t;
    t.dtype = out_dtype;
    ctx.outputs[0] = t;
    return Status::Ok();
  }
  if (x.rank() < 3)
    return ctx.Invalid("input rank " + std::to_string(x.rank()) + " is below 3 (N, C, spatial)");
  if (x.rank() > 5) return ctx.Unsupported("Conv with " + std::to_string(x.rank() - 2) + " spatial dims");
  if (w.rank() != x.rank()) {
    return ctx.Invalid("weight rank " + std::to_string(w.rank()) + " differs from input rank " +
                       std::to_string(x.rank()));
  }
  const int64_t group = ctx.attrs().GetInt("group", 1);
  if (group < 1) return ctx.Invalid("group " + std::to_string(group) + " must be >= 1");
  const int64_t c = x.dims[1];
  const int64_t m = w.dims[0];
  if (c >= 0 && c % group != 0)
    return ctx.Invalid("input channels " + std::to_string(c) + " not divisible by group");
  if (m >= 0 && m % group != 0) {
    return ctx.Invalid("output channels " + std::to_string(m) + " not divisible by group " +
                       std::to_string(group));
  }
  if (c >= 0 && w.dims[1] >= 0 && w.dims[1] * group != c) {
    return ctx.Invalid("weight has " + std::to_string(w.dims[1]) + " input channels per group, input has " +
                       std::to_string(c) + " channels in " + std::to_string(group) + " groups");
  }
  if (ctx.has_input(2)) {
    const ir::TensorType& b = ctx.input(2);
    if (b.rank_known && (b.rank() != 1 || (b.dims[0] >= 0 && m >= 0 && b.dims[0] != m))) {
      return ctx.Invalid("bias shape " + DimsToString(b.dims) + " is not [" + std::to_string(m) + "]");
    }
  }
  std::vector<int64_t> kernel;
  QF_RETURN_IF_ERROR(
      WithNode(ctx, ResolveKernelShape(ctx.attrs(), {w.dims.begin() + 2, w.dims.end()}, &kernel)));
  WindowAttrs wa;
  QF_RETURN_IF_ERROR(WithNode(ctx, ParseWindowAttrs(ctx.attrs(), kernel, &wa)));
  WindowGeometry g;
  QF_RETURN_IF_ERROR(WithNode(ctx, ResolveForwardWindow(wa, {x.dims.begin() + 2, x.dims.end()}, &g)));
  std::vector<int64_t> dims = {x.dims[0], m};
  dims.insert(dims.end(), g.out.begin(), g.out.end());
  ctx.outputs[0] = MakeType(out_dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) { return InferWithLayout(ctx, InferNchw); }

}  // namespace qforge::ops::conv
