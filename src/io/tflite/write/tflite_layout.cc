#include "io/tflite/write/tflite_layout.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "ops/op_table.h"

namespace qforge::io {

namespace {

using ir::Graph;
using ir::Node;
using ir::ValueId;

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), size_t{0}); }
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Join(size_t a, size_t b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<size_t> parent_;
};

bool IsRank4Activation(const Graph& g, ValueId v) {
  if (v == ir::kNoValue) return false;
  const ir::Value& val = g.value(v);
  return !IsConstDerived(g, v) && val.type.rank_known && val.type.rank() == 4;
}

// Ops that compute the same thing in any storage order once their axes (if
// any) are remapped (op table layout kElementwise, kBroadcast, kAxes): the
// rank-4 activations they read and write share one storage order. Returns
// the inputs that take part. Ops the writer cannot export at all (Erf,
// Equal, ...) may join: the write fails on them anyway.
std::vector<ValueId> LayoutFreeInputs(const Node& n) {
  switch (ops::RowOf(n.op).layout) {
    case ops::Layout::kElementwise:
      return {n.input(0)};
    case ops::Layout::kBroadcast:
      // POW keeps the IR order, as before the op table: stored NHWC it would
      // refuse a lower-rank activation exponent (BinaryOperand), which it
      // writes today.
      if (n.op == OpKind::kPow) return {};
      return n.inputs;
    case ops::Layout::kAxes:
      if (n.op == OpKind::kConcat) return n.inputs;
      if (n.op == OpKind::kSoftmax) {
        // A TFLite constraint, not an op fact: SOFTMAX works on the last
        // stored axis, so only a softmax over channels is stored NHWC.
        const int64_t axis = n.attrs.GetInt("axis", -1);
        return (axis == 1 || axis == -3) ? std::vector<ValueId>{n.input(0)} : std::vector<ValueId>{};
      }
      // The other inputs are axes, pads, sizes. A reduction with keepdims = 0
      // changes the rank; its output is then not rank 4.
      return {n.input(0)};
    case ops::Layout::kBound:
    case ops::Layout::kSpatial:
      return {};
  }
  return {};
}

bool AllConsumersTakeFlattenedWeights(const Graph& g, const std::vector<std::vector<ir::NodeId>>& consumers,
                                      ValueId v) {
  if (consumers[static_cast<size_t>(v)].empty()) return false;
  for (ValueId out : g.outputs) {
    if (out == v) return false;
  }
  for (ir::NodeId c : consumers[static_cast<size_t>(v)]) {
    const Node& n = g.node(c);
    if (n.input(0) != v || n.input(1) == v) return false;
    if (n.op == OpKind::kGemm) {
      if (n.attrs.GetInt("transA", 0) != 0) return false;
    } else if (n.op != OpKind::kMatMul) {
      return false;
    }
    if (!IsConstDerived(g, n.input(1))) return false;
  }
  return true;
}

}  // namespace

bool IsConstDerived(const Graph& g, ValueId v) {
  if (v == ir::kNoValue) return false;
  const ir::Value& val = g.value(v);
  if (val.is_constant()) return true;
  if (val.producer == ir::kNoNode) return false;
  const Node& p = g.node(val.producer);
  if (p.op != OpKind::kDequantizeLinear && p.op != OpKind::kCast) return false;
  for (ValueId in : p.inputs) {
    if (in != ir::kNoValue && !g.value(in).is_constant()) return false;
  }
  return true;
}

Result<TfliteLayoutPlan> PlanTfliteLayout(const Graph& g) {
  TfliteLayoutPlan plan;
  const size_t nv = g.values.size();
  plan.nhwc.assign(nv, false);
  plan.fold_into_fc.assign(g.nodes.size(), false);
  plan.fc_chw.assign(g.nodes.size(), {0, 0, 0});

  UnionFind uf(nv);
  std::vector<bool> seed(nv, false);
  for (const Node& n : g.nodes) {
    if (n.removed) continue;
    if (ops::RowOf(n.op).layout == ops::Layout::kSpatial) {
      if (IsRank4Activation(g, n.input(0))) seed[static_cast<size_t>(n.input(0))] = true;
      if (IsRank4Activation(g, n.outputs[0])) seed[static_cast<size_t>(n.outputs[0])] = true;
      continue;
    }
    std::vector<ValueId> ins = LayoutFreeInputs(n);
    if (ins.empty()) continue;
    std::vector<ValueId> members;
    for (ValueId v : ins) {
      if (IsRank4Activation(g, v)) members.push_back(v);
    }
    for (ValueId v : n.outputs) {
      if (IsRank4Activation(g, v)) members.push_back(v);
    }
    if (n.op == OpKind::kDropout && n.outputs.size() > 1 && IsRank4Activation(g, n.outputs[1])) {
      members.pop_back();  // the mask is not data
    }
    for (size_t i = 1; i < members.size(); ++i) {
      uf.Join(static_cast<size_t>(members[0]), static_cast<size_t>(members[i]));
    }
  }
  std::vector<bool> root_nhwc(nv, false);
  for (size_t v = 0; v < nv; ++v) {
    if (seed[v]) root_nhwc[uf.Find(v)] = true;
  }
  for (size_t v = 0; v < nv; ++v) {
    plan.nhwc[v] = IsRank4Activation(g, static_cast<ValueId>(v)) && root_nhwc[uf.Find(v)];
  }

  const auto consumers = g.ComputeConsumers();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.removed || (n.op != OpKind::kFlatten && n.op != OpKind::kReshape)) continue;
    const ValueId in = n.input(0);
    if (in == ir::kNoValue || !plan.nhwc[static_cast<size_t>(in)]) continue;
    const ir::TensorType& it = g.value(in).type;
    const ir::TensorType& ot = g.value(n.outputs[0]).type;
    if (!ot.rank_known || ot.rank() != 2 || it.dims[1] < 0 || it.dims[2] < 0 || it.dims[3] < 0) continue;
    if (ot.dims[1] != it.dims[1] * it.dims[2] * it.dims[3]) continue;
    if (!AllConsumersTakeFlattenedWeights(g, consumers, n.outputs[0])) continue;
    plan.fold_into_fc[i] = true;
    for (ir::NodeId c : consumers[static_cast<size_t>(n.outputs[0])]) {
      plan.fc_chw[static_cast<size_t>(c)] = {it.dims[1], it.dims[2], it.dims[3]};
    }
  }
  return plan;
}

std::vector<int> StoragePerm(int rank, bool nhwc) {
  if (nhwc && rank == 4) return {0, 2, 3, 1};
  std::vector<int> p(static_cast<size_t>(rank));
  std::iota(p.begin(), p.end(), 0);
  return p;
}

int StorageAxis(int axis, int rank, bool nhwc) {
  const std::vector<int> p = StoragePerm(rank, nhwc);
  for (int i = 0; i < rank; ++i) {
    if (p[static_cast<size_t>(i)] == axis) return i;
  }
  return axis;
}

std::vector<int64_t> PermuteDims(const std::vector<int64_t>& dims, const std::vector<int>& perm) {
  std::vector<int64_t> out;
  out.reserve(perm.size());
  for (int p : perm) out.push_back(dims[static_cast<size_t>(p)]);
  return out;
}

std::string ConstTransform::Key() const {
  std::string k = "r";
  for (int64_t d : pre_shape) k += std::to_string(d) + ",";
  k += "p";
  for (int d : perm) k += std::to_string(d) + ",";
  k += "s";
  for (int64_t d : post_shape) k += std::to_string(d) + ",";
  return k;
}

Result<Tensor> ApplyConstTransform(const Tensor& src, const ConstTransform& t, int axis, int* out_axis) {
  std::vector<int64_t> dims = src.dims();
  const int64_t count = src.num_elements();
  if (!t.pre_shape.empty()) {
    if (CheckedElementCount(t.pre_shape) != count) return Internal("constant reshape changes the size");
    const int old_rank = static_cast<int>(dims.size()), new_rank = static_cast<int>(t.pre_shape.size());
    const bool prepends_ones =
        new_rank >= old_rank && std::equal(dims.begin(), dims.end(), t.pre_shape.end() - old_rank);
    if (axis >= 0) {
      // Prepended unit dims move the axis by their number; splitting the
      // other dims keeps a leading axis first and a trailing one last (FC weights).
      if (prepends_ones) {
        axis += new_rank - old_rank;
      } else if (axis == old_rank - 1) {
        axis = new_rank - 1;
      } else if (axis != 0) {
        return Internal("constant reshape across its quantization axis");
      }
    }
    dims = t.pre_shape;
  }
  const size_t esize = DataTypeSize(src.dtype());
  Tensor out(src.dtype(), dims);
  if (t.perm.empty()) {
    if (count > 0) std::memcpy(out.raw_data(), src.raw_data(), src.byte_size());
  } else {
    if (t.perm.size() != dims.size()) return Internal("constant permutation of the wrong rank");
    const std::vector<int64_t> odims = PermuteDims(dims, t.perm);
    const size_t rank = dims.size();
    std::vector<int64_t> in_strides(rank, 1);
    for (size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * dims[i];
    out = Tensor(src.dtype(), odims);
    const auto* s = static_cast<const uint8_t*>(src.raw_data());
    auto* d = static_cast<uint8_t*>(out.raw_data());
    std::vector<int64_t> idx(rank, 0);
    for (int64_t o = 0; o < count; ++o) {
      int64_t off = 0;
      for (size_t i = 0; i < rank; ++i) off += idx[i] * in_strides[static_cast<size_t>(t.perm[i])];
      std::memcpy(d + static_cast<size_t>(o) * esize, s + static_cast<size_t>(off) * esize, esize);
      for (size_t i = rank; i-- > 0;) {
        if (++idx[i] < odims[i]) break;
        idx[i] = 0;
      }
    }
    if (axis >= 0) {
      for (size_t i = 0; i < rank; ++i) {
        if (t.perm[i] == axis) {
          axis = static_cast<int>(i);
          break;
        }
      }
    }
  }
  if (!t.post_shape.empty()) {
    if (CheckedElementCount(t.post_shape) != count) return Internal("constant reshape changes the size");
    // Used for [N, C, H, W] -> [N, K] of FC weights: the axis is the leading one.
    if (axis > 0) axis = -1;
    out = out.Reshaped(t.post_shape);
  }
  *out_axis = axis;
  return out;
}

}  // namespace qforge::io
