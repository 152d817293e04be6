#include "passes/transpose_sinking.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ops/op_table.h"
#include "passes/pass_util.h"

namespace qforge::passes {

bool KeepsLayout(OpKind op) {
  const ops::Layout layout = ops::RowOf(op).layout;
  return layout == ops::Layout::kElementwise || layout == ops::Layout::kBroadcast || op == OpKind::kConcat;
}

namespace {

using Perm = std::vector<int64_t>;

bool IsIdentity(const Perm& p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

Perm Inverse(const Perm& p) {
  Perm inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[static_cast<size_t>(p[i])] = static_cast<int64_t>(i);
  return inv;
}

// Transpose(Transpose(x, first), second) == Transpose(x, result): output dim j
// of the pair reads dim second[j] of the middle value, which reads dim
// first[second[j]] of x.
Perm Compose(const Perm& first, const Perm& second) {
  Perm r(second.size());
  for (size_t j = 0; j < second.size(); ++j) r[j] = first[static_cast<size_t>(second[j])];
  return r;
}

// The perm of a live Transpose node, with ONNX's default (reversed dims) made
// explicit; nullopt when it cannot be known or is not a permutation (the
// pass then leaves the node alone rather than guessing).
std::optional<Perm> TransposePerm(const ir::Graph& g, const ir::Node& n) {
  if (n.removed || n.op != OpKind::kTranspose || n.input(0) == ir::kNoValue) return std::nullopt;
  if (n.outputs.size() != 1 || n.outputs[0] == ir::kNoValue) return std::nullopt;
  Perm p = n.attrs.GetInts("perm");
  if (!n.attrs.Has("perm")) {
    const ir::TensorType& t = g.value(n.inputs[0]).type;
    if (!t.rank_known) return std::nullopt;
    for (int i = t.rank() - 1; i >= 0; --i) p.push_back(i);
  }
  std::vector<bool> seen(p.size(), false);
  for (int64_t d : p) {
    if (d < 0 || d >= static_cast<int64_t>(p.size()) || seen[static_cast<size_t>(d)]) return std::nullopt;
    seen[static_cast<size_t>(d)] = true;
  }
  return p;
}

// The Transpose node producing `id` and its perm, if any.
std::optional<std::pair<ir::NodeId, Perm>> TransposeProducer(const ir::Graph& g, ir::ValueId id) {
  if (id == ir::kNoValue || g.value(id).is_constant()) return std::nullopt;
  const ir::NodeId p = g.value(id).producer;
  if (p == ir::kNoNode) return std::nullopt;
  std::optional<Perm> perm = TransposePerm(g, g.node(p));
  if (!perm) return std::nullopt;
  return std::make_pair(p, std::move(*perm));
}

// The type of Transpose(t, perm). A per-axis quantization axis follows its
// dim: input dim a lands at output position inverse(perm)[a].
ir::TensorType PermuteType(const ir::TensorType& t, const Perm& perm) {
  ir::TensorType out = t;
  if (!t.rank_known || t.rank() != static_cast<int>(perm.size())) {
    out.rank_known = false;
    out.dims.clear();
    out.dim_names.clear();
    if (out.quant.per_axis()) out.quant = {};
    return out;
  }
  for (size_t i = 0; i < perm.size(); ++i) {
    out.dims[i] = t.dims[static_cast<size_t>(perm[i])];
    if (!t.dim_names.empty()) out.dim_names[i] = t.dim_names[static_cast<size_t>(perm[i])];
  }
  if (t.quant.per_axis() && t.quant.axis < static_cast<int>(perm.size())) {
    out.quant.axis = static_cast<int>(Inverse(perm)[static_cast<size_t>(t.quant.axis)]);
  }
  return out;
}

// Transpose of constant data, element by element (any dtype: bytes copied).
Tensor PermuteTensor(const Tensor& t, const Perm& perm) {
  const int rank = t.rank();
  std::vector<int64_t> out_dims(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) out_dims[static_cast<size_t>(i)] = t.dim(static_cast<int>(perm[i]));
  Tensor out(t.dtype(), out_dims);
  std::vector<int64_t> in_strides(static_cast<size_t>(rank), 1);
  for (int i = rank - 2; i >= 0; --i) {
    in_strides[static_cast<size_t>(i)] = in_strides[static_cast<size_t>(i) + 1] * t.dim(i + 1);
  }
  const size_t elem = DataTypeSize(t.dtype());
  const auto* src = static_cast<const uint8_t*>(t.raw_data());
  auto* dst = static_cast<uint8_t*>(out.raw_data());
  std::vector<int64_t> index(static_cast<size_t>(rank), 0);
  const int64_t n = out.num_elements();
  for (int64_t k = 0; k < n; ++k) {
    int64_t offset = 0;
    for (int i = 0; i < rank; ++i)
      offset += index[static_cast<size_t>(i)] * in_strides[static_cast<size_t>(perm[i])];
    std::memcpy(dst + static_cast<size_t>(k) * elem, src + static_cast<size_t>(offset) * elem, elem);
    for (int i = rank - 1; i >= 0; --i) {
      if (++index[static_cast<size_t>(i)] < out_dims[static_cast<size_t>(i)]) break;
      index[static_cast<size_t>(i)] = 0;
    }
  }
  QuantParams q = t.quant();
  if (q.per_axis() && q.axis < rank) q.axis = static_cast<int>(Inverse(perm)[static_cast<size_t>(q.axis)]);
  out.set_quant(std::move(q));
  return out;
}

// The layout tag of the value a Transpose by `perm` turns into one tagged
// `outer`: the reader's NCHW -> NHWC Transpose reads an NCHW value.
ir::Layout InnerLayout(ir::Layout outer, const Perm& perm) {
  if (outer == ir::Layout::kNHWC && perm == Perm{0, 2, 3, 1}) return ir::Layout::kNCHW;
  if (outer == ir::Layout::kNCHW && perm == Perm{0, 3, 1, 2}) return ir::Layout::kNHWC;
  return ir::Layout::kAny;
}

class Sinker {
 public:
  explicit Sinker(ir::Graph& g) : g_(g) {}

  // One sweep over the nodes; true when anything changed.
  bool Sweep() {
    bool changed = false;
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const ir::NodeId id = static_cast<ir::NodeId>(i);
      if (g_.node(id).removed) continue;
      const OpKind op = g_.node(id).op;
      bool done = false;
      if (op == OpKind::kTranspose) {
        done = TryCancel(id);
      } else if (ops::RowOf(op).layout == ops::Layout::kElementwise) {
        done = TrySinkUnary(id);
      } else if (KeepsLayout(op)) {
        done = TrySinkBinary(id);
      }
      if (done) stale_ = true;
      changed = changed || done;
    }
    return changed;
  }

  int moved() const { return moved_; }

 private:
  // Live nodes reading `id`, counted once per node. The index is rebuilt
  // after each rewrite (stale_), not per query: a sweep over a graph of N
  // nodes stays O(N) when nothing changes.
  const std::vector<ir::NodeId>& Readers(ir::ValueId id) {
    if (stale_ || static_cast<size_t>(id) >= readers_.size()) {
      readers_.assign(g_.values.size(), {});
      for (size_t i = 0; i < g_.nodes.size(); ++i) {
        const ir::Node& n = g_.nodes[i];
        if (n.removed) continue;
        for (ir::ValueId in : n.inputs) {
          if (in == ir::kNoValue) continue;
          std::vector<ir::NodeId>& r = readers_[static_cast<size_t>(in)];
          if (r.empty() || r.back() != static_cast<ir::NodeId>(i)) r.push_back(static_cast<ir::NodeId>(i));
        }
      }
      stale_ = false;
    }
    return readers_[static_cast<size_t>(id)];
  }

  // True when only node `reader` sees `id` (not a graph output either), so
  // the Transpose writing it can go once `reader` stops reading it.
  bool OnlyReader(ir::ValueId id, ir::NodeId reader) {
    if (IsGraphOutput(g_, id)) return false;
    const std::vector<ir::NodeId>& readers = Readers(id);
    return readers.size() == 1 && readers[0] == reader;
  }

  // A TFLite tensor is the NHWC value a reader's Transpose writes; when that
  // Transpose goes, the NCHW value holding the same data takes the tensor's
  // name if it only had a generated one (the reader's "_nchw", this pass's
  // "_pre_transpose"), so a .tflite read and written again keeps its names.
  static bool IsGeneratedName(const std::string& name) {
    return name.find("_nchw") != std::string::npos || name.find("_pre_transpose") != std::string::npos;
  }

  void TransferName(ir::ValueId lost, ir::ValueId keeper) {
    if (lost == keeper || IsGraphInput(g_, keeper) || IsGraphOutput(g_, keeper)) return;
    ir::Value& k = g_.value(keeper);
    ir::Value& l = g_.value(lost);
    if (k.is_constant() || !IsGeneratedName(k.name) || IsGeneratedName(l.name)) return;
    k.name = l.name;
    l.name += "_pre_transpose_dropped";
  }

  // Removes Transpose `t` whose output nothing reads any more.
  void RemoveTranspose(ir::NodeId t) {
    g_.RemoveNode(t);
    TransferName(g_.node(t).outputs[0], g_.node(t).inputs[0]);
  }

  void RemoveIfDead(ir::NodeId transpose) {
    const ir::ValueId out = g_.node(transpose).outputs[0];
    if (!IsGraphOutput(g_, out) && Readers(out).empty()) RemoveTranspose(transpose);
  }

  // Transpose(Transpose(x)) -> Transpose(x) with the composed perm, or x
  // when that is the identity; a lone identity Transpose goes too.
  bool TryCancel(ir::NodeId t1) {
    std::optional<Perm> p1 = TransposePerm(g_, g_.node(t1));
    if (!p1) return false;
    const ir::ValueId mid = g_.node(t1).inputs[0];
    if (MergeTwin(t1, *p1)) return true;
    auto t0 = TransposeProducer(g_, mid);
    Perm composed = *p1;
    ir::ValueId source = mid;
    if (t0) {
      if (t0->second.size() != p1->size()) return false;
      composed = Compose(t0->second, *p1);
      source = g_.node(t0->first).inputs[0];
    } else if (!IsIdentity(*p1)) {
      return false;
    }
    bool changed = false;
    if (IsIdentity(composed) && Bypass(t1, source)) {
      changed = true;
    } else if (t0) {
      ir::Node& n = g_.node(t1);
      n.inputs[0] = source;
      n.attrs.Set("perm", composed);
      changed = true;
    }
    stale_ = true;
    if (t0) RemoveIfDead(t0->first);
    return changed;
  }

  // The reader gives each conv reading a value its own Transpose: another
  // Transpose of the same value by the same perm takes over t's readers.
  bool MergeTwin(ir::NodeId t, const Perm& perm) {
    const ir::ValueId in = g_.node(t).inputs[0];
    const ir::ValueId out = g_.node(t).outputs[0];
    if (IsGraphOutput(g_, out)) return false;
    for (ir::NodeId other : Readers(in)) {
      if (other == t) continue;
      std::optional<Perm> p = TransposePerm(g_, g_.node(other));
      if (!p || *p != perm) continue;
      g_.RemoveNode(t);
      g_.ReplaceAllUses(out, g_.node(other).outputs[0]);
      stale_ = true;
      return true;
    }
    return false;
  }

  // Removes identity Transpose `t` whose output equals `source`.
  bool Bypass(ir::NodeId t, ir::ValueId source) {
    const ir::ValueId out = g_.node(t).outputs[0];
    if (!IsGraphOutput(g_, out)) {
      g_.RemoveNode(t);
      g_.ReplaceAllUses(out, source);
      TransferName(out, source);
      return true;
    }
    // The graph output keeps its name: the producer of `source` writes it.
    const ir::Value& src = g_.value(source);
    if (src.is_constant() || src.producer == ir::kNoNode || IsGraphInput(g_, source) ||
        IsGraphOutput(g_, source)) {
      return false;
    }
    const ir::NodeId p = src.producer;
    g_.RemoveNode(t);
    for (ir::ValueId& o : g_.node(p).outputs) {
      if (o == source) o = out;
    }
    g_.value(out).producer = p;
    g_.ReplaceAllUses(source, out);
    return true;
  }

  // Gives node `n`'s output 0 to a new Transpose by `perm` and makes `n`
  // write a new value in the pre-transpose layout: the original value (and
  // its name, maybe a graph output) stays where it was.
  void AppendTranspose(ir::NodeId n, const Perm& perm) {
    const ir::ValueId out = g_.node(n).outputs[0];
    ir::TensorType inner = PermuteType(g_.value(out).type, Inverse(perm));
    inner.layout = InnerLayout(inner.layout, perm);
    const std::string inner_name = UniqueValueName(g_, g_.value(out).name + "_pre_transpose");
    const ir::ValueId fresh = g_.AddValue(inner_name, std::move(inner));
    g_.node(n).outputs[0] = fresh;
    g_.value(fresh).producer = n;
    ir::Node t;
    t.name = g_.node(n).name + "_transpose";
    t.op = OpKind::kTranspose;
    t.inputs = {fresh};
    t.outputs = {out};
    t.attrs.Set("perm", perm);
    g_.AddNode(std::move(t));
    ++moved_;
  }

  bool TrySinkUnary(ir::NodeId u) {
    const ir::Node& n = g_.node(u);
    if (n.outputs.size() != 1 || n.outputs[0] == ir::kNoValue) return false;
    auto t = TransposeProducer(g_, n.input(0));
    if (!t || !OnlyReader(n.inputs[0], u)) return false;
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      if (n.inputs[i] == n.inputs[0]) return false;
    }
    const Perm& perm = t->second;
    std::optional<int64_t> new_axis;
    if (n.op == OpKind::kQuantizeLinear || n.op == OpKind::kDequantizeLinear) {
      // A 1-D scale of more than one element is per-axis: the axis follows
      // its dim (input dim a of the op is dim perm[a] of the transposed value).
      const ir::ValueId scale = n.input(1);
      if (scale == ir::kNoValue || !g_.value(scale).type.rank_known) return false;
      const ir::TensorType& st = g_.value(scale).type;
      const bool per_tensor = st.rank() == 0 || (st.rank() == 1 && st.dims[0] == 1);
      if (!per_tensor) {
        const int64_t rank = static_cast<int64_t>(perm.size());
        int64_t axis = n.attrs.GetInt("axis", 1);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) return false;
        new_axis = perm[static_cast<size_t>(axis)];
      }
    }
    const ir::NodeId old_t = t->first;
    g_.node(u).inputs[0] = g_.node(old_t).inputs[0];
    if (new_axis) g_.node(u).attrs.Set("axis", *new_axis);
    RemoveTranspose(old_t);
    AppendTranspose(u, perm);
    return true;
  }

  // A constant operand of a binary op moved before the Transpose by `perm`:
  // broadcast to the op's rank (leading 1s, numpy rule), then permuted by
  // the inverse. Scalars are left as they are.
  std::optional<ir::ValueId> PermuteConstant(ir::ValueId c, const Perm& perm) {
    const Tensor& t = *g_.value(c).constant;
    if (t.rank() == 0) return c;
    const int rank = static_cast<int>(perm.size());
    if (t.rank() > rank) return std::nullopt;
    const int pad = rank - t.rank();
    std::vector<int64_t> dims(static_cast<size_t>(pad), 1);
    dims.insert(dims.end(), t.dims().begin(), t.dims().end());
    Tensor expanded = t.Reshaped(dims);
    QuantParams q = t.quant();
    if (q.per_axis()) q.axis += pad;
    expanded.set_quant(std::move(q));
    Tensor permuted = PermuteTensor(expanded, Inverse(perm));
    const std::string name = UniqueValueName(g_, g_.value(c).name + "_transposed");
    return g_.AddConstant(name, std::move(permuted));
  }

  bool TrySinkBinary(ir::NodeId b) {
    const ir::Node& n = g_.node(b);
    if (n.outputs.size() != 1 || n.outputs[0] == ir::kNoValue || n.inputs.empty()) return false;
    std::optional<Perm> perm;
    std::vector<ir::NodeId> transposes;
    for (ir::ValueId in : n.inputs) {
      if (in == ir::kNoValue) return false;
      if (g_.value(in).is_constant()) continue;
      auto t = TransposeProducer(g_, in);
      if (!t || !OnlyReader(in, b)) return false;
      if (perm && *perm != t->second) return false;
      perm = t->second;
      if (std::find(transposes.begin(), transposes.end(), t->first) == transposes.end()) {
        transposes.push_back(t->first);
      }
    }
    if (!perm) return false;
    const int64_t rank = static_cast<int64_t>(perm->size());
    // Concat joins along `axis` of the transposed values, which is dim
    // perm[axis] before the Transpose; its constants do not broadcast.
    std::optional<int64_t> concat_axis;
    if (n.op == OpKind::kConcat) {
      if (!n.attrs.Has("axis")) return false;
      int64_t axis = n.attrs.GetInt("axis", 0);
      if (axis < 0) axis += rank;
      if (axis < 0 || axis >= rank) return false;
      concat_axis = (*perm)[static_cast<size_t>(axis)];
      for (ir::ValueId in : n.inputs) {
        if (g_.value(in).is_constant() && g_.value(in).constant->rank() != rank) return false;
      }
    }
    // Constants first: a constant that cannot be moved leaves the graph as it was.
    std::vector<ir::ValueId> new_inputs = g_.node(b).inputs;
    for (ir::ValueId& in : new_inputs) {
      if (g_.value(in).is_constant()) {
        std::optional<ir::ValueId> moved = PermuteConstant(in, *perm);
        if (!moved) return false;
        in = *moved;
      } else {
        in = g_.node(g_.value(in).producer).inputs[0];
      }
    }
    g_.node(b).inputs = std::move(new_inputs);
    if (concat_axis) g_.node(b).attrs.Set("axis", *concat_axis);
    for (ir::NodeId t : transposes) RemoveTranspose(t);
    AppendTranspose(b, *perm);
    return true;
  }

  ir::Graph& g_;
  int moved_ = 0;
  std::vector<std::vector<ir::NodeId>> readers_;
  bool stale_ = true;
};

int LiveTransposes(const ir::Graph& g) {
  return static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(), [](const ir::Node& n) {
    return !n.removed && n.op == OpKind::kTranspose;
  }));
}

// Drops removed nodes and points every value at its live producer.
// Graph::Compact renumbers nodes without updating Value::producer, and its
// topological sort then reads stale producer ids (a consumer whose new index
// equals its producer's old one looks ready first); with no removed nodes
// left, Compact keeps the ids and the sort is right.
void DropRemovedNodes(ir::Graph& g) {
  std::erase_if(g.nodes, [](const ir::Node& n) { return n.removed; });
  for (ir::Value& v : g.values) v.producer = ir::kNoNode;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (ir::ValueId out : g.nodes[i].outputs) {
      if (out != ir::kNoValue) g.value(out).producer = static_cast<ir::NodeId>(i);
    }
  }
}

}  // namespace

Status SinkTransposes(ir::Graph& graph, TransposeSinkingReport* report) {
  const int before = LiveTransposes(graph);
  Sinker sinker(graph);
  // Every rewrite removes a Transpose or moves one past a node toward the
  // outputs, so the sweeps end; the bound guards against a bug looping.
  const size_t max_sweeps = 4 * graph.nodes.size() + 8;
  for (size_t sweep = 0; sweep < max_sweeps && sinker.Sweep(); ++sweep) {
  }
  DropRemovedNodes(graph);
  QF_RETURN_IF_ERROR(FinishPass(&graph, "SinkTransposes"));
  if (report != nullptr) {
    report->removed = before - LiveTransposes(graph);
    report->moved = sinker.moved();
  }
  return Status::Ok();
}

}  // namespace qforge::passes
