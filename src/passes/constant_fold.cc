#include "passes/constant_fold.h"

#include <memory>
#include <vector>

#include "core/memory_budget.h"
#include "kernels/evaluate.h"
#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::passes {

namespace {

bool NeverFold(OpKind op) { return op == OpKind::kQuantizeLinear || op == OpKind::kDequantizeLinear; }

// Evaluates `node` if its inputs are known, its work (FoldWork) fits
// `limit` and its outputs fit `budget`; true when its outputs became constants.
bool TryFold(ir::Graph& g, ir::Node& node, FoldWorkLimit* limit, MemoryBudget* budget) {
  std::vector<const Tensor*> values;
  std::vector<const ir::TensorType*> types;
  bool all_const = true;
  for (ir::ValueId in : node.inputs) {
    if (in == ir::kNoValue) {
      values.push_back(nullptr);
      types.push_back(nullptr);
      continue;
    }
    const ir::Value& v = g.value(in);
    values.push_back(v.constant.get());
    types.push_back(&v.type);
    all_const = all_const && v.is_constant();
  }
  // Shape and Size read only dims, so a placeholder without data stands in.
  Tensor placeholder;
  if (!all_const) {
    if (!ops::ReadsOnlyInputDims(node.op) || types.empty() || types[0] == nullptr || !types[0]->IsStatic())
      return false;
    placeholder = Tensor::View(types[0]->dtype, types[0]->dims, nullptr);
    values[0] = &placeholder;
  }
  // Infer first so an oversized output is refused before it is allocated.
  ops::InferContext ctx;
  ctx.graph = &g;
  ctx.node = &node;
  ctx.inputs = types;
  ctx.values = values;
  if (!ops::InferNode(ctx).ok()) return false;
  for (size_t i = 0; i < ctx.outputs.size(); ++i) {
    if (node.outputs[i] == ir::kNoValue) continue;
    const ir::TensorType& t = ctx.outputs[i];
    if (!t.IsStatic()) return false;
    const int64_t count = CheckedElementCount(t.dims);
    if (count < 0 ||
        static_cast<uint64_t>(count) > kMaxFoldedBytes / std::max<size_t>(1, DataTypeSize(t.dtype))) {
      return false;
    }
  }
  if (!limit->Admit(FoldWork(node, types, ctx.outputs))) return false;
  // Charged as EvaluateNode allocates; a node that fails gives its bytes back.
  MemoryBudget attempt = *budget;
  std::vector<Tensor> outs;
  if (!kernels::EvaluateNode(g, node, values, &outs, &attempt).ok()) return false;
  *budget = attempt;
  for (size_t i = 0; i < outs.size(); ++i) {
    const ir::ValueId out = node.outputs[i];
    if (out == ir::kNoValue) continue;
    ir::Value& v = g.value(out);
    ir::TensorType type = ops::MakeType(outs[i].dtype(), outs[i].dims());
    type.quant = outs[i].quant();
    v.type = std::move(type);
    v.constant = std::make_shared<const Tensor>(std::move(outs[i]));
    v.producer = ir::kNoNode;
  }
  node.removed = true;
  return true;
}

Status Fold(ir::Graph& graph, bool keep_float16_casts) {
  QF_RETURN_IF_ERROR(graph.TopologicalSort());
  // One forward sweep suffices: nodes are in topological order, so every
  // producer is folded before its consumers are considered.
  FoldWorkLimit limit;
  MemoryBudget budget;
  for (const ir::Value& v : graph.values) {
    // Constants alone over the limit: fold nothing; the runtime reports it.
    if (v.constant && !budget.TryCharge(v.constant->byte_size())) return Status::Ok();
  }
  for (ir::Node& node : graph.nodes) {
    if (node.removed || NeverFold(node.op)) continue;
    if (keep_float16_casts && node.op == OpKind::kCast && !node.inputs.empty() &&
        graph.value(node.inputs[0]).type.dtype == DataType::kFloat16) {
      continue;
    }
    TryFold(graph, node, &limit, &budget);
  }
  return Status::Ok();
}

}  // namespace

Status FoldConstants(ir::Graph& graph) { return Fold(graph, false); }

Status FoldConstantsKeepingFloat16Weights(ir::Graph& graph) { return Fold(graph, true); }

}  // namespace qforge::passes
