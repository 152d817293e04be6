#include "passes/fuse_requantize.h"

#include <optional>
#include <vector>

#include "passes/eliminate_qdq.h"
#include "passes/pass_util.h"
#include "quant/fused_activation.h"

namespace qforge::passes {

namespace {

using ir::Graph;
using ir::kNoNode;
using ir::Node;
using ir::NodeId;
using ir::ValueId;

bool Is8BitPerTensor(const ir::TensorType& t) {
  return (t.dtype == DataType::kInt8 || t.dtype == DataType::kUInt8) && t.quant.scale.size() == 1 &&
         t.quant.zero_point.size() == 1 && !t.quant.per_axis();
}

bool HasClamp(OpKind op) {
  switch (op) {
    case OpKind::kConv:
    case OpKind::kGemm:
    case OpKind::kMatMul:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
      return true;
    default:
      return false;
  }
}

// The producer's clamp re-expressed for its new output `out`: the limits it
// applied in `mid` (type range narrowed by its fused activation), as real
// values; a bound `out` enforces anyway by its own range is dropped.
void ReexpressClamp(Node* n, const ir::TensorType& mid, const ir::TensorType& out) {
  const float s1 = mid.quant.scale[0];
  const int32_t z1 = static_cast<int32_t>(mid.quant.zero_point[0]);
  const quant::QuantLimits type_limits = quant::LimitsOf(mid.dtype).value();
  const quant::QuantLimits q1 =
      quant::QuantizedActivationLimits(quant::FusedActivation(*n), s1, z1, type_limits);
  const double lo = static_cast<double>(s1) * (q1.qmin - z1);
  const double hi = static_cast<double>(s1) * (q1.qmax - z1);
  const RealRange held = *RepresentableRange(out);
  n->attrs.Erase(quant::kActivationMin);
  n->attrs.Erase(quant::kActivationMax);
  if (lo > held.lo) n->attrs.Set(quant::kActivationMin, static_cast<float>(lo));
  if (hi < held.hi) n->attrs.Set(quant::kActivationMax, static_cast<float>(hi));
}

class Fuser {
 public:
  Fuser(Graph* g, FuseRequantizeReport* r) : g_(*g), r_(*r) {}

  Status Run() {
    const std::vector<std::vector<NodeId>> consumers = g_.ComputeConsumers();
    fused_.assign(g_.nodes.size(), 0);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& rq = g_.nodes[i];
      if (rq.removed || rq.op != OpKind::kRequantize) continue;
      const ValueId mid = rq.inputs[0];
      const NodeId p = g_.value(mid).producer;
      if (p == kNoNode || g_.node(p).removed || IsGraphOutput(g_, mid)) continue;
      // Fusing twice into one producer would compound two one-step bounds.
      if (fused_[static_cast<size_t>(p)]) continue;
      if (consumers[static_cast<size_t>(mid)].size() != 1) continue;
      if (!Fuse(p, static_cast<NodeId>(i))) continue;
      fused_[static_cast<size_t>(p)] = 1;
      ++r_.fused;
    }
    return FinishPass(&g_, "FuseRequantize");
  }

 private:
  bool Fuse(NodeId p_id, NodeId rq_id) {
    Node& p = g_.node(p_id);
    const bool clamp = HasClamp(p.op);
    if ((!clamp && p.op != OpKind::kGlobalAveragePool) || p.outputs.size() != 1) return false;
    const ValueId y = g_.node(rq_id).outputs[0];
    const ir::TensorType& x = g_.value(p.inputs[0]).type;
    const ir::TensorType& mid = g_.value(p.outputs[0]).type;
    const ir::TensorType& out = g_.value(y).type;
    // Integer producers only (a hybrid op reads float32 and writes float32).
    if (!Is8BitPerTensor(x) || !Is8BitPerTensor(mid) || !Is8BitPerTensor(out) || mid.dtype != out.dtype)
      return false;
    if (mid.quant.scale[0] > out.quant.scale[0]) {
      ++r_.skipped_finer_scale;
      return false;
    }
    if (!clamp) {
      // The average stays within its input's range: no clamp is needed when
      // that range cannot saturate the intermediate type.
      const std::optional<RealRange> produced = RepresentableRange(x);
      if (!produced || !OneRequantizationSuffices(*produced, false, mid, out)) {
        ++r_.skipped_saturation;
        return false;
      }
    } else {
      ReexpressClamp(&p, mid, out);
    }
    p.outputs[0] = y;
    g_.value(y).producer = p_id;
    g_.RemoveNode(rq_id);
    return true;
  }

  Graph& g_;
  FuseRequantizeReport& r_;
  std::vector<char> fused_;  // per node: already took a Requantize
};

}  // namespace

Status FuseRequantize(ir::Graph* graph, FuseRequantizeReport* report) {
  FuseRequantizeReport local;
  Fuser f(graph, report != nullptr ? report : &local);
  return f.Run();
}

}  // namespace qforge::passes
