// Gather(data, indices; axis): out = data[:axis] + indices.shape + data[axis+1:].
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::gather {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.Invalid("data and indices inputs are required");
  const ir::TensorType& data = ctx.input(0);
  const ir::TensorType& idx = ctx.input(1);
  if (data.dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  if (idx.dtype != DataType::kInt64 && idx.dtype != DataType::kInt32) {
    return ctx.Invalid(std::string("indices must be int32 or int64, got ") + DataTypeName(idx.dtype));
  }
  if (!data.rank_known || !idx.rank_known) {
    ctx.outputs[0] = UnknownRankType(data.dtype);
    return Status::Ok();
  }
  if (data.rank() == 0) return ctx.Invalid("data must have rank >= 1");
  int axis = 0;
  QF_RETURN_IF_ERROR(NormalizeAxis(ctx, ctx.attrs().GetInt("axis", 0), data.rank(), &axis));
  std::vector<int64_t> dims(data.dims.begin(), data.dims.begin() + axis);
  dims.insert(dims.end(), idx.dims.begin(), idx.dims.end());
  dims.insert(dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  ctx.outputs[0] = MakeType(data.dtype, std::move(dims));
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::gather
