// Shape(data; start, end): the input's dims as int64, sliced like Python
// (negative indices count from the end, out-of-range values clamp).
// Size(data): the input's element count as an int64 scalar. Both need only
// the input's type, never its data.
#include <algorithm>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops {

std::pair<int64_t, int64_t> ShapeOpRange(const ir::Attributes& attrs, int64_t rank) {
  int64_t start = attrs.GetInt("start", 0);
  int64_t end = attrs.GetInt("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  return {start, std::max(start, end)};
}

bool ReadsOnlyInputDims(OpKind op) { return op == OpKind::kShape || op == OpKind::kSize; }

namespace shape {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  const ir::TensorType& x = ctx.input(0);
  if (ctx.node->op == OpKind::kSize) {
    ctx.outputs[0] = MakeType(DataType::kInt64, {});
    return Status::Ok();
  }
  if (!x.rank_known) {
    ctx.outputs[0] = DynamicDimsType(DataType::kInt64, 1);
    return Status::Ok();
  }
  const auto [begin, end] = ShapeOpRange(ctx.attrs(), x.rank());
  ctx.outputs[0] = MakeType(DataType::kInt64, {end - begin});
  return Status::Ok();
}

}  // namespace shape
}  // namespace qforge::ops
