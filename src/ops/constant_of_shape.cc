// ConstantOfShape(shape; value): a tensor of the given dims filled with the
// one element of attribute `value` (default float32 0).
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::constant_of_shape {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("shape input is required");
  DataType dt = DataType::kFloat32;
  if (const Tensor* value = ctx.attrs().GetTensor("value")) {
    if (value->num_elements() != 1) {
      return ctx.Invalid("attribute 'value' must hold one element, has " +
                         std::to_string(value->num_elements()));
    }
    dt = value->dtype();
    if (dt == DataType::kUndefined) return ctx.Unsupported("attribute 'value' has no dtype");
  } else if (ctx.attrs().Has("value")) {
    return ctx.Invalid("attribute 'value' must be a tensor");
  }
  if (ctx.input(0).dtype != DataType::kInt64) return ctx.Invalid("shape must be int64");
  std::optional<std::vector<int64_t>> shape;
  QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 0, "shape", &shape));
  if (!shape) {
    const int64_t n = StaticLength(ctx, 0);
    ctx.outputs[0] = n >= 0 ? DynamicDimsType(dt, static_cast<int>(n)) : UnknownRankType(dt);
    return Status::Ok();
  }
  if (CheckedElementCount(*shape) < 0) return ctx.Invalid("shape " + DimsToString(*shape) + " is invalid");
  ctx.outputs[0] = MakeType(dt, *shape);
  return Status::Ok();
}

}  // namespace qforge::ops::constant_of_shape
