// Tile(input, repeats): out dim d = in dim d * repeats[d].
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::tile {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.Invalid("input and repeats are required");
  const ir::TensorType& x = ctx.input(0);
  if (x.dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  if (ctx.input(1).dtype != DataType::kInt64) return ctx.Invalid("repeats must be int64");
  std::optional<std::vector<int64_t>> repeats;
  QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 1, "repeats", &repeats));
  if (!x.rank_known) {
    ctx.outputs[0] = UnknownRankType(x.dtype);
    return Status::Ok();
  }
  if (!repeats) {
    ctx.outputs[0] = DynamicDimsType(x.dtype, x.rank());
    return Status::Ok();
  }
  if (static_cast<int>(repeats->size()) != x.rank()) {
    return ctx.Invalid("repeats has " + std::to_string(repeats->size()) + " values for a rank-" +
                       std::to_string(x.rank()) + " input");
  }
  std::vector<int64_t> dims(x.dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    const int64_t r = (*repeats)[d];
    if (r < 0) return ctx.Invalid("repeats " + DimsToString(*repeats) + " has a negative value");
    if (x.dims[d] < 0) {
      dims[d] = r == 0 ? 0 : ir::kDynamicDim;
    } else if (CheckedElementCount(std::vector<int64_t>{x.dims[d], r}) < 0) {
      return ctx.Invalid("repeats " + DimsToString(*repeats) + " overflow the output shape");
    } else {
      dims[d] = x.dims[d] * r;
    }
  }
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::tile
