#include "ops/shape_inputs.h"

#include <string>

namespace qforge::ops {

ir::TensorType UnknownRankType(DataType dtype) {
  ir::TensorType t;
  t.dtype = dtype;
  t.rank_known = false;
  return t;
}

ir::TensorType DynamicDimsType(DataType dtype, int rank) {
  return MakeType(dtype, std::vector<int64_t>(static_cast<size_t>(rank), ir::kDynamicDim));
}

Status ReadIntsInput(const InferContext& ctx, size_t i, const char* what,
                     std::optional<std::vector<int64_t>>* out) {
  out->reset();
  const ir::TensorType& t = ctx.input(i);
  if (t.dtype != DataType::kInt64 && t.dtype != DataType::kInt32) {
    return ctx.Invalid(std::string(what) + " must be int64 or int32, got " + DataTypeName(t.dtype));
  }
  if (t.rank_known && t.rank() > 1) {
    return ctx.Invalid(std::string(what) + " must be 1-D, got shape " + DimsToString(t.dims));
  }
  if (const Tensor* v = ctx.input_value(i)) *out = ReadInts(*v);
  return Status::Ok();
}

void ForwardPerTensorQuant(const ir::TensorType& in, ir::TensorType* out) {
  if (!in.quant.empty() && !in.quant.per_axis()) out->quant = in.quant;
}

int64_t StaticLength(const InferContext& ctx, size_t i) {
  const ir::TensorType& t = ctx.input(i);
  if (!t.rank_known) return -1;
  if (t.rank() == 0) return 1;
  return t.dims[0] >= 0 ? t.dims[0] : -1;
}

}  // namespace qforge::ops
