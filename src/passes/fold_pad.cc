#include "passes/fold_pad.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/infer.h"
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

// What a Pad writes at the padded positions, as the window ops see it.
struct Fill {
  bool zero = false;    // real 0.0: what Conv and AveragePool pad with
  bool lowest = false;  // never the maximum: what MaxPool pads with
};

std::optional<Fill> FillOf(const Graph& g, const Node& pad) {
  const ir::TensorType& data = g.value(pad.inputs[0]).type;
  const ValueId v = pad.input(2);
  const Tensor* value = v == kNoValue ? nullptr : g.value(v).constant.get();
  if (v != kNoValue && (value == nullptr || value->num_elements() != 1)) return {};
  Fill f;
  if (data.dtype == DataType::kFloat32) {
    const float x = value == nullptr ? 0.0f : value->data<float>()[0];
    f.zero = x == 0.0f;
    f.lowest = std::isinf(x) && x < 0;
    return f;
  }
  if (data.dtype != DataType::kInt8 && data.dtype != DataType::kUInt8) return {};
  if (data.quant.scale.size() != 1 || data.quant.per_axis()) return {};
  const int64_t z = data.quant.zero_point[0];
  // A constant with other parameters is requantized by the kernel: not matched.
  if (value != nullptr && !value->quant().empty() && !(value->quant() == data.quant)) return {};
  int64_t q = z;
  if (value != nullptr) {
    q = value->dtype() == DataType::kInt8 ? value->data<int8_t>()[0] : value->data<uint8_t>()[0];
    if (value->dtype() != data.dtype) return {};
  }
  Result<quant::QuantLimits> limits = quant::LimitsOf(data.dtype);
  if (!limits.ok()) return {};
  f.zero = q == z;
  f.lowest = q == limits->qmin;
  return f;
}

// Spatial pads to add to a window op, [h_begin, w_begin, h_end, w_end].
using SpatialPads = std::vector<int64_t>;

// Whether `n` is a 2-D Conv / AveragePool / MaxPool that can take `add` on
// top of its own pads with this fill; applies them when `apply`.
bool TakePads(Graph& g, Node& n, const SpatialPads& add, const Fill& fill, bool apply, FoldPadReport* r) {
  const std::string auto_pad = n.attrs.GetString("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") return false;
  std::vector<int64_t> pads = n.attrs.GetInts("pads", {0, 0, 0, 0});
  if (auto_pad == "VALID") pads = {0, 0, 0, 0};
  if (pads.size() != 4) return false;
  const bool own_pads = pads != std::vector<int64_t>{0, 0, 0, 0};
  for (size_t i = 0; i < 4; ++i) pads[i] += add[i];
  if (n.op == OpKind::kConv) {
    const ir::Value& w = g.value(n.input(1));
    const int rank = w.is_constant() ? w.constant->rank() : (w.type.rank_known ? w.type.rank() : -1);
    if (rank != 4 || !fill.zero) return false;
    if (apply) ++r->into_conv;
  } else if (n.op == OpKind::kAveragePool || n.op == OpKind::kMaxPool) {
    const std::vector<int64_t> kernel = n.attrs.GetInts("kernel_shape");
    const std::vector<int64_t> dilations = n.attrs.GetInts("dilations", {1, 1});
    if (kernel.size() != 2 || dilations.size() != 2 || n.attrs.GetInt("ceil_mode", 0) != 0) return false;
    // ONNX Runtime rejects pads as large as the window; all-padding windows
    // are where the fill conventions would differ.
    for (size_t i = 0; i < 4; ++i) {
      if (pads[i] >= (kernel[i % 2] - 1) * dilations[i % 2] + 1) return false;
    }
    if (n.op == OpKind::kMaxPool) {
      if (!fill.lowest) return false;
      if (apply) ++r->into_max_pool;
    } else {
      const bool counts_pads = n.attrs.GetInt("count_include_pad", 0) != 0;
      if (!fill.zero || (own_pads && !counts_pads)) return false;
      if (apply) {
        n.attrs.Set("count_include_pad", int64_t{1});
        ++r->into_average_pool;
      }
    }
  } else {
    return false;
  }
  if (apply) {
    n.attrs.Erase("auto_pad");
    n.attrs.Set("pads", pads);
  }
  return true;
}

class PadFolder {
 public:
  PadFolder(Graph* g, FoldPadReport* r) : g_(*g), r_(*r) {}

  Status Run() {
    consumers_ = g_.ComputeConsumers();
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (g_.nodes[i].removed || g_.nodes[i].op != OpKind::kPad) continue;
      if (Fold(static_cast<NodeId>(i))) consumers_ = g_.ComputeConsumers();
    }
    return FinishPass(&g_, "FoldPadIntoConv");
  }

 private:
  // Readers of `v` when every one reads it as input 0 only and `v` is not a
  // graph output; empty otherwise.
  std::vector<NodeId> DataReaders(ValueId v) const {
    if (IsGraphOutput(g_, v)) return {};
    std::vector<NodeId> readers = consumers_[static_cast<size_t>(v)];
    for (NodeId c : readers) {
      const Node& n = g_.node(c);
      for (size_t k = 0; k < n.inputs.size(); ++k) {
        if (n.inputs[k] == v && k != 0) return {};
      }
    }
    return readers;
  }

  bool AllTake(const std::vector<NodeId>& readers, const SpatialPads& add, const Fill& fill, bool apply) {
    if (readers.empty()) return false;
    for (NodeId c : readers) {
      if (!TakePads(g_, g_.node(c), add, fill, apply, &r_)) return false;
    }
    return true;
  }

  bool Fold(NodeId id) {
    const Node& pad = g_.node(id);
    if (pad.attrs.GetString("mode", "constant") != "constant" || pad.input(3) != kNoValue) return false;
    const ir::Value& x = g_.value(pad.inputs[0]);
    const ir::Value& pv = g_.value(pad.inputs[1]);
    if (x.is_constant() || !pv.is_constant()) return false;
    const std::vector<int64_t> pads = ops::ReadInts(*pv.constant);
    if (pads.size() != 8) return false;
    for (int64_t p : pads) {
      if (p < 0) return false;
    }
    const std::optional<Fill> fill = FillOf(g_, pad);
    if (!fill) return false;
    const ValueId padded = pad.outputs[0];
    const ValueId input = pad.inputs[0];
    // Pad -> op directly: NCHW, pads on dims 2 and 3 only.
    std::vector<NodeId> readers = DataReaders(padded);
    if (readers.size() == 1 && g_.node(readers[0]).op == OpKind::kTranspose)
      return FoldThroughTranspose(id, readers[0], pads, *fill);
    if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) return false;
    const SpatialPads add = {pads[2], pads[3], pads[6], pads[7]};
    if (!AllTake(readers, add, *fill, false)) return false;
    AllTake(readers, add, *fill, true);
    for (NodeId c : readers) g_.node(c).inputs[0] = input;
    g_.RemoveNode(id);
    ++r_.pads_folded;
    return true;
  }

  // Pad -> Transpose(perm) -> ops: output dim i of the Transpose is input dim perm[i].
  bool FoldThroughTranspose(NodeId pad_id, NodeId t_id, const std::vector<int64_t>& pads, const Fill& fill) {
    const Node& t = g_.node(t_id);
    const std::vector<int64_t> perm = t.attrs.GetInts("perm");
    if (perm.size() != 4) return false;
    std::vector<bool> seen(4, false);
    for (int64_t p : perm) {
      if (p < 0 || p >= 4 || seen[static_cast<size_t>(p)]) return false;
      seen[static_cast<size_t>(p)] = true;
    }
    auto padded_dim = [&](size_t i) { return static_cast<size_t>(perm[i]); };
    for (size_t i = 0; i < 2; ++i) {
      if (pads[padded_dim(i)] != 0 || pads[4 + padded_dim(i)] != 0) return false;
    }
    const SpatialPads add = {pads[padded_dim(2)], pads[padded_dim(3)], pads[4 + padded_dim(2)],
                             pads[4 + padded_dim(3)]};
    const std::vector<NodeId> readers = DataReaders(t.outputs[0]);
    if (!AllTake(readers, add, fill, false)) return false;
    AllTake(readers, add, fill, true);
    const ValueId input = g_.node(pad_id).inputs[0];
    Node& tn = g_.node(t_id);
    tn.inputs[0] = input;
    // The Transpose now moves the unpadded tensor.
    const ir::TensorType& xt = g_.value(input).type;
    ir::TensorType& tt = g_.value(tn.outputs[0]).type;
    if (xt.rank_known && xt.rank() == 4) {
      tt.rank_known = true;
      tt.dims.assign(4, 0);
      std::vector<std::string> names;
      for (size_t i = 0; i < 4; ++i) {
        tt.dims[i] = xt.dims[padded_dim(i)];
        if (xt.dim_names.size() == 4) names.push_back(xt.dim_names[padded_dim(i)]);
      }
      tt.dim_names = std::move(names);
    } else {
      tt.rank_known = false;
      tt.dims.clear();
      tt.dim_names.clear();
    }
    g_.RemoveNode(pad_id);
    ++r_.pads_folded;
    ++r_.through_transpose;
    return true;
  }

  Graph& g_;
  FoldPadReport& r_;
  std::vector<std::vector<NodeId>> consumers_;
};

}  // namespace

Status FoldPadIntoConv(ir::Graph* graph, FoldPadReport* report) {
  FoldPadReport local;
  PadFolder f(graph, report != nullptr ? report : &local);
  return f.Run();
}

}  // namespace qforge::passes
