// Slice(data, starts, ends, axes?, steps?): output dims need the values of
// starts/ends (and axes/steps when given).
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"
#include "ops/slice_params.h"

namespace qforge::ops::slice {

Status Infer(InferContext& ctx) {
  for (size_t i = 0; i < 3; ++i) {
    if (!ctx.has_input(i)) return ctx.Invalid("input " + std::to_string(i) + " is required");
  }
  const ir::TensorType& data = ctx.input(0);
  if (data.dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  static const char* const kNames[] = {"data", "starts", "ends", "axes", "steps"};
  std::optional<std::vector<int64_t>> values[5];
  bool all_known = true;
  for (size_t i = 1; i < 5; ++i) {
    if (!ctx.has_input(i)) continue;
    QF_RETURN_IF_ERROR(ReadIntsInput(ctx, i, kNames[i], &values[i]));
    all_known = all_known && values[i].has_value();
  }
  if (!data.rank_known) {
    ctx.outputs[0] = UnknownRankType(data.dtype);
    return Status::Ok();
  }
  if (!all_known) {
    ctx.outputs[0] = DynamicDimsType(data.dtype, data.rank());
    return Status::Ok();
  }
  std::vector<SliceAxis> axes;
  std::string error;
  if (!ComputeSlice(data.dims, *values[1], *values[2], values[3].value_or(std::vector<int64_t>{}),
                    values[4].value_or(std::vector<int64_t>{}), &axes, &error)) {
    return ctx.Invalid(error);
  }
  std::vector<int64_t> dims;
  for (const SliceAxis& a : axes) dims.push_back(a.length);
  ctx.outputs[0] = MakeType(data.dtype, std::move(dims));
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::slice
