#include "passes/fuse_activation.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "ops/op_table.h"
#include "passes/pass_util.h"
#include "qscheme/fused_activation.h"

namespace qforge::passes {

namespace {

// One Clip bound: absent = unbounded (`fallback`); nullopt when it is not a
// constant float32 scalar or is NaN.
std::optional<float> ClipBound(const ir::Graph& g, ir::ValueId id, float fallback) {
  if (id == ir::kNoValue) return fallback;
  const Tensor* t = FloatConstant(g, id);
  if (t == nullptr || t->num_elements() != 1 || std::isnan(t->data<float>()[0])) return std::nullopt;
  return t->data<float>()[0];
}

// The clamp `node` applies, or nullopt when it is not a fusable activation.
std::optional<quant::ActivationRange> ActivationOf(const ir::Graph& g, const ir::Node& node) {
  quant::ActivationRange r;
  if (node.op == OpKind::kRelu) {
    r.min = 0.0f;
    return r;
  }
  if (node.op != OpKind::kClip) return std::nullopt;
  const std::optional<float> lo = ClipBound(g, node.input(1), r.min);
  const std::optional<float> hi = ClipBound(g, node.input(2), r.max);
  if (!lo || !hi) return std::nullopt;
  // A lower bound of +inf (or upper of -inf) maps everything to infinity;
  // the clamp attributes cannot record it (an infinite bound means none).
  if (std::isinf(*lo) && *lo > 0) return std::nullopt;
  if (std::isinf(*hi) && *hi < 0) return std::nullopt;
  r.min = *lo;
  r.max = *hi;
  return r;
}

bool TryFuse(ir::Graph& g, const std::vector<std::vector<ir::NodeId>>& consumers, ir::NodeId act_id) {
  const ir::Node& act = g.node(act_id);
  const ir::ValueId x = act.input(0);
  if (x == ir::kNoValue || act.outputs.size() != 1 || act.outputs[0] == ir::kNoValue) return false;
  const std::optional<quant::ActivationRange> range = ActivationOf(g, act);
  if (!range) return false;
  const ir::NodeId p_id = g.value(x).producer;
  if (p_id == ir::kNoNode || IsGraphOutput(g, x) || consumers[static_cast<size_t>(x)].size() != 1)
    return false;
  ir::Node& p = g.node(p_id);
  if (p.removed || ops::RowOf(p.op).fused_activation != ops::Fact::kYes || p.outputs.size() != 1 ||
      p.outputs[0] != x)
    return false;
  // The runtime applies a fused clamp to float32 results only.
  if (g.value(x).type.dtype != DataType::kFloat32) return false;
  // Clamping twice into disjoint ranges is not one clamp into their (empty)
  // intersection.
  const quant::ActivationRange old = quant::FusedActivation(p);
  if (std::max(old.min, range->min) > std::min(old.max, range->max)) return false;
  quant::FuseActivation(&p, *range);
  const ir::ValueId y = act.outputs[0];
  p.outputs[0] = y;
  ir::Value& yv = g.value(y);
  yv.producer = p_id;
  if (yv.type.dtype == DataType::kUndefined || !yv.type.rank_known) yv.type = g.value(x).type;
  g.node(act_id).removed = true;
  return true;
}

}  // namespace

Status FuseActivations(ir::Graph* graph, int* fused) {
  ir::Graph& g = *graph;
  QF_RETURN_IF_ERROR(g.TopologicalSort());
  // Valid for the whole sweep: fusing rewires only outputs, never what a
  // node reads, so Conv -> Relu -> Clip fuses both in one pass.
  const std::vector<std::vector<ir::NodeId>> consumers = g.ComputeConsumers();
  int count = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].removed) continue;
    if (TryFuse(g, consumers, static_cast<ir::NodeId>(i))) ++count;
  }
  if (fused != nullptr) *fused = count;
  return FinishPass(graph, "FuseActivations");
}

}  // namespace qforge::passes
