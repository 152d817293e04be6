// Cast: attribute `to` holds a qforge::DataType value (the importer maps
// ONNX's enum); string and other ONNX types never reach the IR.
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::cast {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  QF_RETURN_IF_ERROR(RequireDtype(
      ctx, 0,
      {DataType::kFloat32, DataType::kFloat16, DataType::kFloat64, DataType::kInt8, DataType::kUInt8,
       DataType::kInt16, DataType::kInt32, DataType::kInt64, DataType::kBool}));
  if (!ctx.attrs().Has("to")) return ctx.Invalid("attribute 'to' is required");
  const int64_t to = ctx.attrs().GetInt("to", 0);
  if (to <= static_cast<int64_t>(DataType::kUndefined) || to > static_cast<int64_t>(DataType::kBool)) {
    return ctx.Unsupported("target type " + std::to_string(to) + " is not a supported qforge dtype");
  }
  const DataType dt = static_cast<DataType>(to);
  const ir::TensorType& x = ctx.input(0);
  ctx.outputs[0] = x.rank_known ? MakeType(dt, x.dims) : UnknownRankType(dt);
  ctx.outputs[0].dim_names = x.dim_names;
  return Status::Ok();
}

}  // namespace qforge::ops::cast
