// Clip(x, min?, max?): min and max are scalar inputs of x's dtype; an
// omitted bound is no bound. A quantized x (int8/uint8, per tensor) runs as a
// table activation: min and max stay float32 constants (real bounds), and
// the output takes its declared (S, Z), or the input's when none is declared.
#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::clip {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0,
                                  {DataType::kFloat32, DataType::kFloat64, DataType::kInt8, DataType::kUInt8,
                                   DataType::kInt16, DataType::kInt32, DataType::kInt64}));
  const ir::TensorType& x = ctx.input(0);
  const bool quantized = !x.quant.empty() && (x.dtype == DataType::kInt8 || x.dtype == DataType::kUInt8);
  if (quantized && (x.quant.per_axis() || x.quant.scale.size() != 1)) {
    return ctx.Unsupported("per-axis quantized input");
  }
  const DataType bound_dtype = quantized ? DataType::kFloat32 : x.dtype;
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    const ir::TensorType& b = ctx.input(i);
    if (b.dtype != bound_dtype) {
      return ctx.Invalid(std::string(i == 1 ? "min" : "max") + " has dtype " + DataTypeName(b.dtype) +
                         ", needs " + DataTypeName(bound_dtype));
    }
    // A scalar; some exporters write a 1-element 1-D tensor.
    if (b.rank_known && CheckedElementCount(b.dims) > 1) {
      return ctx.Invalid(std::string(i == 1 ? "min" : "max") + " must be a scalar, got shape " +
                         DimsToString(b.dims));
    }
  }
  ctx.outputs[0] = x.rank_known ? MakeType(x.dtype, x.dims) : UnknownRankType(x.dtype);
  ctx.outputs[0].dim_names = x.dim_names;
  bool declared = false;
  if (quantized && ctx.graph != nullptr && ctx.node->outputs[0] != ir::kNoValue) {
    const ir::TensorType& d = ctx.graph->value(ctx.node->outputs[0]).type;
    declared = !d.quant.empty() && d.dtype == x.dtype;  // kept by InferNode
  }
  if (!declared) ForwardPerTensorQuant(x, &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::clip
