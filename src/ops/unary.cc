// Shape inference for the elementwise unary ops and activations; the output
// has the input's type. Dropout is inference-mode only.
#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::unary {

namespace {

Status CheckDtype(InferContext& ctx) {
  switch (ctx.node->op) {
    case OpKind::kIdentity:
      if (ctx.input(0).dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
      return Status::Ok();
    case OpKind::kAbs:
    case OpKind::kNeg:
    case OpKind::kRelu:
      return RequireDtype(ctx, 0,
                          {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kInt8,
                           DataType::kInt16, DataType::kInt32, DataType::kInt64});
    default:
      return RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16});
  }
}

Status CheckDropout(InferContext& ctx) {
  if (ctx.has_input(2)) {
    if (ctx.input(2).dtype != DataType::kBool) return ctx.Invalid("training_mode must be bool");
    const Tensor* mode = ctx.input_value(2);
    if (mode != nullptr && mode->num_elements() >= 1 && mode->data<uint8_t>()[0] != 0) {
      return ctx.Unsupported("training_mode = true (only inference-mode Dropout is implemented)");
    }
  }
  if (ctx.has_input(1) && !IsFloat(ctx.input(1).dtype)) return ctx.Invalid("ratio must be a float scalar");
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  QF_RETURN_IF_ERROR(CheckDtype(ctx));
  const ir::TensorType& in = ctx.input(0);
  ir::TensorType out = in.rank_known ? MakeType(in.dtype, in.dims) : UnknownRankType(in.dtype);
  out.dim_names = in.dim_names;
  if (ctx.node->op == OpKind::kIdentity) out.quant = in.quant;
  if (ctx.node->op == OpKind::kDropout) {
    QF_RETURN_IF_ERROR(CheckDropout(ctx));
    if (ctx.outputs.size() > 1) {
      ctx.outputs[1] = out;
      ctx.outputs[1].dtype = DataType::kBool;
    }
  }
  ctx.outputs[0] = std::move(out);
  return Status::Ok();
}

}  // namespace qforge::ops::unary
