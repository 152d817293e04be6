#include "passes/remove_identity.h"

#include "passes/pass_util.h"

namespace qforge::passes {

namespace {

bool IsConstantFalse(const ir::Graph& g, ir::ValueId id) {
  const ir::Value& v = g.value(id);
  if (!v.is_constant() || v.constant->dtype() != DataType::kBool || v.constant->num_elements() != 1) {
    return false;
  }
  return v.constant->data<uint8_t>()[0] == 0;
}

bool IsUsed(const ir::Graph& g, ir::ValueId id) {
  if (IsGraphOutput(g, id)) return true;
  for (const ir::Node& n : g.nodes) {
    if (n.removed) continue;
    for (ir::ValueId in : n.inputs) {
      if (in == id) return true;
    }
  }
  return false;
}

// Whether `node` passes its input through unchanged.
bool IsPassThrough(const ir::Graph& g, const ir::Node& node) {
  if (node.inputs.empty() || node.input(0) == ir::kNoValue || node.outputs.empty() ||
      node.outputs[0] == ir::kNoValue) {
    return false;
  }
  if (node.op == OpKind::kIdentity) return node.outputs.size() == 1;
  if (node.op != OpKind::kDropout) return false;
  // A random mask would be needed in training mode.
  if (node.input(2) != ir::kNoValue && !IsConstantFalse(g, node.input(2))) return false;
  // The mask (all true in inference) has no producer once the node is gone.
  if (node.outputs.size() > 1 && node.outputs[1] != ir::kNoValue && IsUsed(g, node.outputs[1])) return false;
  return true;
}

// Removes `node` (at `index`); false when it must stay.
bool TryRemove(ir::Graph& g, ir::NodeId index) {
  ir::Node& node = g.node(index);
  const ir::ValueId x = node.inputs[0];
  const ir::ValueId y = node.outputs[0];
  if (!IsGraphOutput(g, y)) {
    node.removed = true;
    g.ReplaceAllUses(y, x);
    return true;
  }
  // y is what the user sees: the producer of x writes y instead of x.
  const ir::NodeId p = g.value(x).producer;
  if (p == ir::kNoNode || g.value(x).is_constant() || IsGraphInput(g, x) || IsGraphOutput(g, x)) return false;
  ir::Node& producer = g.node(p);
  node.removed = true;
  for (ir::ValueId& out : producer.outputs) {
    if (out == x) out = y;
  }
  ir::Value& yv = g.value(y);
  yv.producer = p;
  if (yv.type.dtype == DataType::kUndefined || !yv.type.rank_known) yv.type = g.value(x).type;
  // Other readers of x read y now; y is written by the same node, so the
  // order stays topological.
  g.ReplaceAllUses(x, y);
  return true;
}

}  // namespace

Status RemoveIdentity(ir::Graph* graph, int* removed) {
  ir::Graph& g = *graph;
  QF_RETURN_IF_ERROR(g.TopologicalSort());
  int count = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].removed || !IsPassThrough(g, g.nodes[i])) continue;
    if (TryRemove(g, static_cast<ir::NodeId>(i))) ++count;
  }
  if (removed != nullptr) *removed = count;
  return FinishPass(graph, "RemoveIdentity");
}

}  // namespace qforge::passes
