// Shape inference for the elementwise unary ops and activations; the output
// has the input's type. A quantized int8/uint8 input runs the table kernel
// (kernels/ref/int_lut.cc) and its output takes the declared (S, Z); Identity
// and Dropout keep the input's. Dropout is inference-mode only.
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::unary {

namespace {

bool IsQuantized(const ir::TensorType& t) {
  return !t.quant.empty() && (t.dtype == DataType::kInt8 || t.dtype == DataType::kUInt8 ||
                              t.dtype == DataType::kInt16 || t.dtype == DataType::kInt32);
}

Status CheckDtype(InferContext& ctx) {
  const ir::TensorType& x = ctx.input(0);
  const OpKind op = ctx.node->op;
  // Inference-mode Dropout is an identity: a quantized input passes unchanged.
  if (IsQuantized(x) && op == OpKind::kDropout) return Status::Ok();
  if (IsQuantized(x) && op != OpKind::kIdentity) {
    // Table activation (docs/design/quantized_ir.md): per-tensor int8/uint8
    // in, the same dtype out with the declared (S, Z) kept by InferNode.
    if (x.dtype != DataType::kInt8 && x.dtype != DataType::kUInt8) {
      return ctx.Unsupported(std::string("quantized ") + DataTypeName(x.dtype) +
                             " input (table activations take int8 or uint8)");
    }
    if (x.quant.per_axis() || x.quant.scale.size() != 1) return ctx.Unsupported("per-axis quantized input");
    return Status::Ok();
  }
  switch (op) {
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
  // Identity and Dropout move values unchanged, so they keep the (S, Z).
  if (ctx.node->op == OpKind::kIdentity || ctx.node->op == OpKind::kDropout) out.quant = in.quant;
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
