// Shape inference for the broadcasting binary ops (Add, Sub, Mul, Div, Pow,
// variadic Max/Min, the comparisons Equal, Greater(OrEqual), Less(OrEqual),
// PRelu). Comparisons output bool.
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::binary {

namespace {

bool IsComparison(OpKind op) {
  return op == OpKind::kEqual || op == OpKind::kGreater || op == OpKind::kGreaterOrEqual ||
         op == OpKind::kLess || op == OpKind::kLessOrEqual;
}

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

bool IsQuantized(const ir::TensorType& t) {
  return !t.quant.empty() && (t.dtype == DataType::kInt8 || t.dtype == DataType::kUInt8 ||
                              t.dtype == DataType::kInt16 || t.dtype == DataType::kInt32);
}

bool ComparesCodes(OpKind op) { return op == OpKind::kMax || op == OpKind::kMin; }

// Quantized Add/Sub/Mul (docs/design/quantized_ir.md): both inputs quantized
// per tensor, of one 8-bit dtype; the output keeps that dtype and takes its
// declared (S, Z) (ops::InferNode). Max/Min: any number of inputs of one
// (S, Z), which the output keeps. Other binary ops have no integer form.
Status CheckQuantized(InferContext& ctx) {
  const OpKind op = ctx.node->op;
  if (op != OpKind::kAdd && op != OpKind::kSub && op != OpKind::kMul && !ComparesCodes(op)) {
    return ctx.Unsupported("quantized inputs (only Add, Sub, Mul, Max and Min have integer kernels)");
  }
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const ir::TensorType& t = ctx.input(i);
    if (!IsQuantized(t)) {
      return ctx.Invalid("input " + std::to_string(i) + " is not quantized while the other input is");
    }
    if (t.dtype != DataType::kInt8 && t.dtype != DataType::kUInt8) {
      return ctx.Unsupported("quantized input " + std::to_string(i) + " of dtype " + DataTypeName(t.dtype) +
                             " (int8 or uint8 only)");
    }
    if (t.quant.per_axis() || t.quant.scale.size() != 1) {
      return ctx.Unsupported("per-axis quantized input " + std::to_string(i));
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
  bool quantized = false;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) quantized = quantized || IsQuantized(ctx.input(i));
  if (quantized) QF_RETURN_IF_ERROR(CheckQuantized(ctx));
  const DataType out_dtype = IsComparison(ctx.node->op) ? DataType::kBool : ctx.input(0).dtype;
  const bool shared_quant = quantized && ComparesCodes(ctx.node->op);
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.input(i).rank_known) {
      ctx.outputs[0] = UnknownRankType(out_dtype);
      return shared_quant ? KeepInputQuant(ctx) : Status::Ok();
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
  return shared_quant ? KeepInputQuant(ctx) : Status::Ok();
}

}  // namespace qforge::ops::binary
