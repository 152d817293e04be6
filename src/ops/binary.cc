// Shape inference for the broadcasting binary ops (Add, Sub, Mul, Div, Pow,
// variadic Max/Min, Equal, PRelu).
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::binary {

namespace {

Status CheckDtypes(InferContext& ctx) {
  const OpKind op = ctx.node->op;
  const DataType base = ctx.input(0).dtype;
  if (op == OpKind::kEqual) {
    QF_RETURN_IF_ERROR(RequireDtype(
        ctx, 0,
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kInt8, DataType::kUInt8,
         DataType::kInt16, DataType::kInt32, DataType::kInt64, DataType::kBool}));
  } else {
    QF_RETURN_IF_ERROR(
        RequireDtype(ctx, 0,
                     {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kInt8,
                      DataType::kUInt8, DataType::kInt16, DataType::kInt32, DataType::kInt64}));
  }
  if (op == OpKind::kPow) {
    // The exponent may have another type; the result has the base's type.
    return RequireDtype(ctx, 1,
                        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kInt8,
                         DataType::kUInt8, DataType::kInt16, DataType::kInt32, DataType::kInt64});
  }
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    if (ctx.input(i).dtype != base) {
      return ctx.Invalid("input " + std::to_string(i) + " has dtype " + DataTypeName(ctx.input(i).dtype) +
                         ", input 0 has " + DataTypeName(base));
    }
  }
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) return ctx.Invalid("input " + std::to_string(i) + " is required");
  }
  if (ctx.num_inputs() == 0) return ctx.Invalid("needs at least one input");
  QF_RETURN_IF_ERROR(CheckDtypes(ctx));
  const DataType out_dtype = ctx.node->op == OpKind::kEqual ? DataType::kBool : ctx.input(0).dtype;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.input(i).rank_known) {
      ctx.outputs[0] = UnknownRankType(out_dtype);
      return Status::Ok();
    }
  }
  std::vector<int64_t> dims = ctx.input(0).dims;
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    std::vector<int64_t> next;
    QF_RETURN_IF_ERROR(BroadcastShapes(ctx, dims, ctx.input(i).dims, &next));
    dims = std::move(next);
  }
  if (ctx.node->op == OpKind::kPRelu) {
    // The slope broadcasts to X, never the other way round.
    const std::vector<int64_t>& x = ctx.input(0).dims;
    bool grew = dims.size() != x.size();
    for (size_t d = 0; !grew && d < x.size(); ++d) grew = x[d] >= 0 && dims[d] != x[d];
    if (grew) {
      return ctx.Invalid("slope " + DimsToString(ctx.input(1).dims) + " does not broadcast to X " +
                         DimsToString(x));
    }
    dims = x;
  }
  ctx.outputs[0] = MakeType(out_dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace qforge::ops::binary
