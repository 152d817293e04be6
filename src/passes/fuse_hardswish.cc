#include "passes/fuse_hardswish.h"

#include <cmath>

#include "passes/pass_util.h"

namespace qforge::passes {

Status FuseHardSwish(ir::Graph* graph, int* fused) {
  ir::Graph& g = *graph;
  const auto consumers = g.ComputeConsumers();
  int count = 0;
  for (ir::Node& mul : g.nodes) {
    if (mul.removed || mul.op != OpKind::kMul || mul.inputs.size() != 2 || mul.outputs.size() != 1) continue;
    if (mul.attrs.Has("activation_min") || mul.attrs.Has("activation_max")) continue;
    for (int side = 0; side < 2; ++side) {
      const ir::ValueId gate = mul.inputs[static_cast<size_t>(side)];
      const ir::ValueId x = mul.inputs[static_cast<size_t>(1 - side)];
      if (gate == ir::kNoValue || x == ir::kNoValue || IsGraphOutput(g, gate)) continue;
      const ir::NodeId hs_id = g.value(gate).producer;
      if (hs_id == ir::kNoNode) continue;
      const ir::Node& hs = g.node(hs_id);
      if (hs.removed || hs.op != OpKind::kHardSigmoid || hs.inputs.empty() || hs.inputs[0] != x) continue;
      if (consumers[static_cast<size_t>(gate)].size() != 1) continue;
      if (g.value(x).type.dtype != DataType::kFloat32) continue;
      const float alpha = hs.attrs.GetFloat("alpha", 0.2f), beta = hs.attrs.GetFloat("beta", 0.5f);
      if (std::fabs(alpha - 1.0f / 6.0f) > 1e-6f || beta != 0.5f) continue;
      g.RemoveNode(hs_id);
      mul.op = OpKind::kHardSwish;
      mul.inputs = {x};
      ++count;
      break;
    }
  }
  if (fused != nullptr) *fused = count;
  if (count == 0) return Status::Ok();
  return g.Compact();
}

}  // namespace qforge::passes
