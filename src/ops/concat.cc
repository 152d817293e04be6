// Concat: inputs of one dtype and rank, equal dims except along `axis`.
#include <limits>
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::concat {

namespace {

// Quantized inputs are requantized to the output's (S, Z) while copying
// (docs/design/quantized_ir.md): the output takes its declared parameters,
// or, when none are declared, the inputs' if they all share one.
Status InferQuant(InferContext& ctx) {
  bool any_quantized = false;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) any_quantized = any_quantized || !ctx.input(i).quant.empty();
  if (!any_quantized) return Status::Ok();
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const ir::TensorType& t = ctx.input(i);
    if (t.quant.empty()) {
      return ctx.Invalid("input " + std::to_string(i) + " is not quantized while another input is");
    }
    if (t.quant.per_axis() || t.quant.scale.size() != 1) {
      return ctx.Unsupported("per-axis quantized input " + std::to_string(i));
    }
  }
  if (ctx.graph != nullptr && ctx.node->outputs[0] != ir::kNoValue) {
    const ir::TensorType& d = ctx.graph->value(ctx.node->outputs[0]).type;
    if (!d.quant.empty() && d.dtype == ctx.outputs[0].dtype) return Status::Ok();  // kept by InferNode
  }
  bool same_quant = true;
  for (size_t i = 1; i < ctx.num_inputs(); ++i)
    same_quant = same_quant && ctx.input(i).quant == ctx.input(0).quant;
  if (same_quant) ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  if (ctx.num_inputs() == 0) return ctx.Invalid("needs at least one input");
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) return ctx.Invalid("input " + std::to_string(i) + " is required");
  }
  const DataType dt = ctx.input(0).dtype;
  if (dt == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  if (!ctx.attrs().Has("axis")) return ctx.Invalid("attribute 'axis' is required");
  const int64_t axis_attr = ctx.attrs().GetInt("axis", 0);
  int rank = -1;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const ir::TensorType& t = ctx.input(i);
    if (t.dtype != dt) {
      return ctx.Invalid("input " + std::to_string(i) + " has dtype " + DataTypeName(t.dtype) +
                         ", input 0 has " + DataTypeName(dt));
    }
    if (!t.rank_known) continue;
    if (rank >= 0 && t.rank() != rank) return ctx.Invalid("inputs have different ranks");
    rank = t.rank();
  }
  if (rank < 0) {
    ctx.outputs[0] = UnknownRankType(dt);
    return InferQuant(ctx);
  }
  if (rank == 0) return ctx.Invalid("cannot concatenate scalars");
  int axis = 0;
  QF_RETURN_IF_ERROR(NormalizeAxis(ctx, axis_attr, rank, &axis));
  std::vector<int64_t> dims(static_cast<size_t>(rank), ir::kDynamicDim);
  int64_t total = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const ir::TensorType& t = ctx.input(i);
    if (!t.rank_known) {
      total = ir::kDynamicDim;
      continue;
    }
    for (int d = 0; d < rank; ++d) {
      const int64_t v = t.dims[static_cast<size_t>(d)];
      if (d == axis) {
        if (total >= 0 && v >= 0 && v > std::numeric_limits<int64_t>::max() - total) {
          return ctx.Invalid("concatenated dim overflows");
        }
        total = (total < 0 || v < 0) ? ir::kDynamicDim : total + v;
        continue;
      }
      int64_t& o = dims[static_cast<size_t>(d)];
      if (v < 0) continue;
      if (o >= 0 && o != v) {
        return ctx.Invalid("input " + std::to_string(i) + " has shape " + DimsToString(t.dims) +
                           ", which differs from the others outside axis " + std::to_string(axis));
      }
      o = v;
    }
  }
  dims[static_cast<size_t>(axis)] = total;
  ctx.outputs[0] = MakeType(dt, std::move(dims));
  return InferQuant(ctx);
}

}  // namespace qforge::ops::concat
