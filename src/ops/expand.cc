// Expand(input, shape): bidirectional numpy broadcast of input's dims and
// the shape values (a 1 in `shape` keeps the input dim).
#include <algorithm>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::expand {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.Invalid("input and shape are required");
  const ir::TensorType& x = ctx.input(0);
  if (x.dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  std::optional<std::vector<int64_t>> shape;
  QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 1, "shape", &shape));
  if (!x.rank_known) {
    ctx.outputs[0] = UnknownRankType(x.dtype);
    return Status::Ok();
  }
  if (!shape) {
    const int64_t n = StaticLength(ctx, 1);
    ctx.outputs[0] =
        n >= 0 ? DynamicDimsType(x.dtype, std::max(x.rank(), static_cast<int>(n))) : UnknownRankType(x.dtype);
    return Status::Ok();
  }
  for (int64_t d : *shape) {
    if (d < 0) return ctx.Invalid("shape " + DimsToString(*shape) + " has a negative dim");
  }
  std::vector<int64_t> dims;
  QF_RETURN_IF_ERROR(BroadcastShapes(ctx, x.dims, *shape, &dims));
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::expand
