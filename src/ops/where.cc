// Where(condition, X, Y): elementwise select with three-way broadcasting.
#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::where {

Status Infer(InferContext& ctx) {
  for (size_t i = 0; i < 3; ++i) {
    if (!ctx.has_input(i)) return ctx.Invalid("all three inputs are required");
  }
  if (ctx.input(0).dtype != DataType::kBool) {
    return ctx.Invalid(std::string("condition must be bool, got ") + DataTypeName(ctx.input(0).dtype));
  }
  const DataType dt = ctx.input(1).dtype;
  if (ctx.input(2).dtype != dt) {
    return ctx.Invalid(std::string("X and Y dtypes differ: ") + DataTypeName(dt) + " vs " +
                       DataTypeName(ctx.input(2).dtype));
  }
  if (dt == DataType::kUndefined) return ctx.Unsupported("dtype undefined");
  if (!ctx.input(0).rank_known || !ctx.input(1).rank_known || !ctx.input(2).rank_known) {
    ctx.outputs[0] = UnknownRankType(dt);
    return Status::Ok();
  }
  std::vector<int64_t> xy, dims;
  QF_RETURN_IF_ERROR(BroadcastShapes(ctx, ctx.input(1).dims, ctx.input(2).dims, &xy));
  QF_RETURN_IF_ERROR(BroadcastShapes(ctx, ctx.input(0).dims, xy, &dims));
  ctx.outputs[0] = MakeType(dt, std::move(dims));
  return Status::Ok();
}

}  // namespace qforge::ops::where
