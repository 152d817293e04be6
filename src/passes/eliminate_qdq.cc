#include "passes/eliminate_qdq.h"

#include <cmath>
#include <cstdint>

#include "passes/pass_util.h"
#include "qscheme/arithmetic.h"

namespace qforge::passes {

namespace {

using ir::Graph;
using ir::kNoNode;
using ir::kNoValue;
using ir::Node;
using ir::NodeId;
using ir::ValueId;

bool Is8Bit(DataType t) { return t == DataType::kInt8 || t == DataType::kUInt8; }

int64_t ScalarInt(const Tensor& t) {
  switch (t.dtype()) {
    case DataType::kInt8:
      return t.data<int8_t>()[0];
    case DataType::kUInt8:
      return t.data<uint8_t>()[0];
    case DataType::kInt16:
      return t.data<int16_t>()[0];
    case DataType::kInt32:
      return t.data<int32_t>()[0];
    default:
      return 0;
  }
}

// Per-tensor (S, Z) of a QuantizeLinear / DequantizeLinear whose parameters
// are constant scalars, and the quantized side's dtype (`quantized_dtype`:
// the DQ input's; for a Q, its zero point's, else its output's declared
// type, else ONNX's default uint8).
struct QdqParams {
  QuantParams quant;
  DataType dtype = DataType::kUndefined;
};

std::optional<QdqParams> ConstQdqParams(const Graph& g, const Node& n, DataType quantized_dtype) {
  if (n.attrs.GetInt("block_size", 0) != 0 || n.inputs.size() < 2) return {};
  const ir::Value& s = g.value(n.inputs[1]);
  if (!s.is_constant() || s.constant->dtype() != DataType::kFloat32 || s.constant->num_elements() != 1)
    return {};
  const float scale = s.constant->data<float>()[0];
  if (!(scale > 0.0f) || !std::isfinite(scale)) return {};
  QdqParams p;
  p.quant.scale = {scale};
  p.quant.zero_point = {0};
  p.dtype = quantized_dtype;
  if (n.input(2) != kNoValue) {
    const ir::Value& z = g.value(n.inputs[2]);
    if (!z.is_constant() || z.constant->num_elements() != 1) return {};
    p.quant.zero_point = {ScalarInt(*z.constant)};
    if (n.op == OpKind::kQuantizeLinear) p.dtype = z.constant->dtype();
  }
  if (p.dtype == DataType::kUndefined) p.dtype = DataType::kUInt8;
  if (!Is8Bit(p.dtype)) return {};
  return p;
}

bool PerTensor(const ir::TensorType& t) {
  return Is8Bit(t.dtype) && t.quant.scale.size() == 1 && t.quant.zero_point.size() == 1 &&
         !t.quant.per_axis();
}

class Eliminator {
 public:
  Eliminator(Graph* g, EliminateQdqReport* r) : g_(*g), r_(*r) {}

  Status Run() {
    inexact_.assign(g_.nodes.size(), 0);
    // Each rewrite changes readers: the sweep restarts with them recounted
    // (graphs have hundreds of nodes and few rewrites; the cost is negligible).
    for (bool changed = true; changed;) {
      changed = false;
      consumers_ = g_.ComputeConsumers();
      for (size_t i = 0; i < g_.nodes.size() && !changed; ++i) {
        if (g_.nodes[i].removed) continue;
        const NodeId id = static_cast<NodeId>(i);
        changed = FoldDqQ(id) || RemoveIdentity(id) || MergeChain(id);
      }
    }
    RemoveDeadDequantize();
    return FinishPass(&g_, "EliminateQdqPairs");
  }

 private:
  NodeId Producer(ValueId v) const { return v == kNoValue ? kNoNode : g_.value(v).producer; }

  bool FoldDqQ(NodeId id) {
    const Node& q = g_.node(id);
    if (q.op != OpKind::kQuantizeLinear) return false;
    const NodeId dq_id = Producer(q.inputs[0]);
    if (dq_id == kNoNode || g_.node(dq_id).removed || g_.node(dq_id).op != OpKind::kDequantizeLinear)
      return false;
    const Node& dq = g_.node(dq_id);
    const ValueId x = dq.inputs[0];
    const ir::Value& xv = g_.value(x);
    if (xv.is_constant() || !Is8Bit(xv.type.dtype)) return false;
    const std::optional<QdqParams> in = ConstQdqParams(g_, dq, xv.type.dtype);
    const ir::Value& yv = g_.value(q.outputs[0]);
    const std::optional<QdqParams> out = ConstQdqParams(g_, q, yv.type.dtype);
    // Readers of x read its declared parameters: they must be the DQ's.
    if (!in || !out || !(xv.type.quant == in->quant)) return false;
    if (in->quant == out->quant && in->dtype == out->dtype) {
      if (IsGraphOutput(g_, q.outputs[0])) return false;  // its name must stay
      g_.ReplaceAllUses(q.outputs[0], x);
      g_.RemoveNode(id);
      ++r_.pairs_removed;
      return true;
    }
    Node& m = g_.node(id);
    m.op = OpKind::kRequantize;
    m.inputs = {x};
    // Exact under kFloat (Requantize is defined as DQ -> Q); one step otherwise.
    if (g_.requantization != ir::Requantization::kFloat) inexact_[static_cast<size_t>(id)] = 1;
    m.attrs = ir::Attributes();
    ir::TensorType& t = g_.value(m.outputs[0]).type;
    t.dtype = out->dtype;
    t.quant = out->quant;
    if (!t.rank_known && xv.type.rank_known) {
      t.rank_known = true;
      t.dims = xv.type.dims;
    }
    ++r_.pairs_requantized;
    return true;
  }

  bool RemoveIdentity(NodeId id) {
    const Node& n = g_.node(id);
    if (n.op != OpKind::kRequantize) return false;
    const ir::TensorType& in = g_.value(n.inputs[0]).type;
    const ir::TensorType& out = g_.value(n.outputs[0]).type;
    if (!PerTensor(in) || in.dtype != out.dtype || !(in.quant == out.quant)) return false;
    if (IsGraphOutput(g_, n.outputs[0])) return false;
    g_.ReplaceAllUses(n.outputs[0], n.inputs[0]);
    g_.RemoveNode(id);
    ++r_.identities_removed;
    return true;
  }

  // Requantize(x) -> m -> Requantize: the second reads x.
  bool MergeChain(NodeId id) {
    const Node& second = g_.node(id);
    if (second.op != OpKind::kRequantize) return false;
    const ValueId m = second.inputs[0];
    const NodeId first_id = Producer(m);
    if (first_id == kNoNode || g_.node(first_id).removed || g_.node(first_id).op != OpKind::kRequantize)
      return false;
    // Merging into an inexact rewrite would compound two one-step bounds.
    if (inexact_[static_cast<size_t>(first_id)] || inexact_[static_cast<size_t>(id)]) return false;
    const ValueId x = g_.node(first_id).inputs[0];
    const ir::TensorType& xt = g_.value(x).type;
    const ir::TensorType& mt = g_.value(m).type;
    const ir::TensorType& yt = g_.value(second.outputs[0]).type;
    const std::optional<RealRange> produced = RepresentableRange(xt);
    if (!produced || !PerTensor(mt) || !PerTensor(yt)) return false;
    const bool mid_exact = xt.quant.scale[0] == mt.quant.scale[0];
    if (!OneRequantizationSuffices(*produced, mid_exact, mt, yt)) return false;
    g_.node(id).inputs[0] = x;
    if (!mid_exact) inexact_[static_cast<size_t>(id)] = 1;
    if (consumers_[static_cast<size_t>(m)].size() == 1 && !IsGraphOutput(g_, m)) g_.RemoveNode(first_id);
    ++r_.chains_merged;
    return true;
  }

  void RemoveDeadDequantize() {
    consumers_ = g_.ComputeConsumers();
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      Node& n = g_.nodes[i];
      if (n.removed || n.op != OpKind::kDequantizeLinear) continue;
      const ValueId out = n.outputs[0];
      if (!consumers_[static_cast<size_t>(out)].empty() || IsGraphOutput(g_, out)) continue;
      n.removed = true;
      ++r_.dequantizes_removed;
    }
  }

  Graph& g_;
  EliminateQdqReport& r_;
  std::vector<std::vector<NodeId>> consumers_;
  std::vector<char> inexact_;  // per node: a rewrite already within one step, not exact
};

}  // namespace

std::optional<RealRange> RepresentableRange(const ir::TensorType& t) {
  const bool type_ok =
      t.dtype == DataType::kInt8 || t.dtype == DataType::kUInt8 || t.dtype == DataType::kInt16;
  if (!type_ok || t.quant.scale.size() != 1 || t.quant.zero_point.size() != 1 || t.quant.per_axis())
    return {};
  Result<quant::QuantLimits> limits = quant::LimitsOf(t.dtype);
  if (!limits.ok()) return {};
  const double s = t.quant.scale[0];
  const double z = static_cast<double>(t.quant.zero_point[0]);
  return RealRange{s * (limits->qmin - z), s * (limits->qmax - z)};
}

bool OneRequantizationSuffices(const RealRange& produced, bool mid_exact, const ir::TensorType& mid,
                               const ir::TensorType& out) {
  const std::optional<RealRange> m = RepresentableRange(mid);
  if (!m || !RepresentableRange(out)) return false;
  const double s_mid = mid.quant.scale[0];
  const double s_out = out.quant.scale[0];
  if (produced.lo < m->lo - s_mid / 2 || produced.hi > m->hi + s_mid / 2) return false;
  return mid_exact || s_mid <= s_out;
}

Status EliminateQdqPairs(ir::Graph* graph, EliminateQdqReport* report) {
  EliminateQdqReport local;
  Eliminator e(graph, report != nullptr ? report : &local);
  return e.Run();
}

}  // namespace qforge::passes
