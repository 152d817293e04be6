#include "passes/inline_if.h"

#include <string>
#include <vector>

namespace qforge::passes {

namespace {

std::string UniqueValueName(const ir::Graph& g, const std::string& hint) {
  std::string name = hint;
  for (int i = 1; g.FindValue(name).has_value(); ++i) name = hint + "_" + std::to_string(i);
  return name;
}

// Copies `branch` into `g` in place of If node `id`.
void Inline(ir::Graph& g, ir::NodeId id, const ir::Graph& branch) {
  const ir::Node n = g.node(id);  // a copy: AddNode may move the node vector
  g.RemoveNode(id);
  std::vector<ir::ValueId> map(branch.values.size(), ir::kNoValue);
  for (size_t i = 0; i < branch.inputs.size(); ++i)
    map[static_cast<size_t>(branch.inputs[i])] = n.inputs[i + 1];
  for (size_t v = 0; v < branch.values.size(); ++v) {
    const ir::Value& bv = branch.values[v];
    if (!bv.is_constant()) continue;
    const ir::ValueId c = g.AddValue(UniqueValueName(g, n.name + "/" + bv.name), bv.type);
    g.value(c).constant = bv.constant;  // shared, not copied
    map[v] = c;
  }
  // A branch output computed by a branch node writes the If's output value
  // directly, so the If's consumers and the graph outputs keep their names.
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    const ir::ValueId bo = branch.outputs[o];
    const bool computed = branch.value(bo).producer != ir::kNoNode;
    if (computed && map[static_cast<size_t>(bo)] == ir::kNoValue && n.outputs[o] != ir::kNoValue)
      map[static_cast<size_t>(bo)] = n.outputs[o];
  }
  for (const ir::Node& bn : branch.nodes) {
    if (bn.removed) continue;
    ir::Node copy = bn;
    copy.name = n.name + "/" + bn.name;
    for (ir::ValueId& in : copy.inputs)
      if (in != ir::kNoValue) in = map[static_cast<size_t>(in)];
    for (ir::ValueId& out : copy.outputs) {
      if (out == ir::kNoValue) continue;
      ir::ValueId& m = map[static_cast<size_t>(out)];
      if (m == ir::kNoValue)
        m = g.AddValue(UniqueValueName(g, n.name + "/" + branch.value(out).name), branch.value(out).type);
      out = m;
    }
    g.AddNode(std::move(copy));
  }
  // Outputs the branch passes through (a captured value, a constant, or one
  // value returned twice) get an Identity.
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    const ir::ValueId from = map[static_cast<size_t>(branch.outputs[o])];
    if (n.outputs[o] == ir::kNoValue || from == n.outputs[o]) continue;
    ir::Node identity;
    identity.name = n.name + "/output_" + std::to_string(o);
    identity.op = OpKind::kIdentity;
    identity.inputs = {from};
    identity.outputs = {n.outputs[o]};
    g.AddNode(std::move(identity));
  }
}

}  // namespace

Status InlineConstantIfs(ir::Graph* graph, int* inlined) {
  *inlined = 0;
  const size_t count = graph->nodes.size();  // inlined nodes are appended; nested Ifs wait for the next call
  for (size_t i = 0; i < count; ++i) {
    const ir::Node& n = graph->nodes[i];
    if (n.removed || n.op != OpKind::kIf) continue;
    const ir::Value& cond = graph->value(n.inputs[0]);
    if (!cond.is_constant() || cond.constant->num_elements() != 1) continue;
    const bool then = cond.constant->data<uint8_t>()[0] != 0;
    const ir::Subgraph branch =
        std::get<ir::Subgraph>(n.attrs.all().at(then ? "then_branch" : "else_branch"));
    Inline(*graph, static_cast<ir::NodeId>(i), *branch);
    ++*inlined;
  }
  return Status::Ok();
}

}  // namespace qforge::passes
