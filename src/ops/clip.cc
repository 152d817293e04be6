// Clip(x, min?, max?): min and max are scalar inputs of x's dtype; an
// omitted bound is no bound.
#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::clip {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0,
                                  {DataType::kFloat32, DataType::kFloat64, DataType::kInt8, DataType::kUInt8,
                                   DataType::kInt16, DataType::kInt32, DataType::kInt64}));
  const ir::TensorType& x = ctx.input(0);
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    const ir::TensorType& b = ctx.input(i);
    if (b.dtype != x.dtype) {
      return ctx.Invalid(std::string(i == 1 ? "min" : "max") + " has dtype " + DataTypeName(b.dtype) +
                         ", x has " + DataTypeName(x.dtype));
    }
    // A scalar; some exporters write a 1-element 1-D tensor.
    if (b.rank_known && CheckedElementCount(b.dims) > 1) {
      return ctx.Invalid(std::string(i == 1 ? "min" : "max") + " must be a scalar, got shape " +
                         DimsToString(b.dims));
    }
  }
  ctx.outputs[0] = x.rank_known ? MakeType(x.dtype, x.dims) : UnknownRankType(x.dtype);
  ctx.outputs[0].dim_names = x.dim_names;
  ForwardPerTensorQuant(x, &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::clip
