#include "passes/layout_nhwc.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "passes/pass_util.h"
#include "passes/transpose_sinking.h"

namespace qforge::passes {

namespace {

using Perm = std::vector<int64_t>;
const Perm kToNhwc = {0, 2, 3, 1};
const Perm kToNchw = {0, 3, 1, 2};

// The type of Transpose(t, perm) with layout tag `layout`.
ir::TensorType Permuted(const ir::TensorType& t, const Perm& perm, ir::Layout layout) {
  ir::TensorType out = t;
  out.layout = layout;
  if (!t.rank_known || t.rank() != static_cast<int>(perm.size())) return out;
  for (size_t i = 0; i < perm.size(); ++i) {
    out.dims[i] = t.dims[static_cast<size_t>(perm[i])];
    if (t.dim_names.size() == perm.size()) out.dim_names[i] = t.dim_names[static_cast<size_t>(perm[i])];
  }
  return out;
}

ir::NodeId AddTranspose(ir::Graph& g, const std::string& name, ir::ValueId in, ir::ValueId out,
                        const Perm& perm) {
  ir::Node t;
  t.name = name;
  t.op = OpKind::kTranspose;
  t.inputs = {in};
  t.outputs = {out};
  t.attrs.Set("perm", perm);
  return g.AddNode(std::move(t));
}

// Node `id` reads X NHWC through a new Transpose and writes Y NHWC, which a
// second Transpose turns back into the original (NCHW) Y.
void WrapNhwc(ir::Graph& g, ir::NodeId id) {
  const ir::ValueId x = g.node(id).inputs[0];
  const ir::ValueId y = g.node(id).outputs[0];
  const std::string node_name = g.node(id).name;
  const ir::ValueId x_nhwc = g.AddValue(UniqueValueName(g, g.value(x).name + "_nhwc"),
                                        Permuted(g.value(x).type, kToNhwc, ir::Layout::kNHWC));
  const ir::ValueId y_nhwc = g.AddValue(UniqueValueName(g, g.value(y).name + "_nhwc"),
                                        Permuted(g.value(y).type, kToNhwc, ir::Layout::kNHWC));
  ir::Node& n = g.node(id);
  n.inputs[0] = x_nhwc;
  n.outputs[0] = y_nhwc;
  n.attrs.Set(kLayoutAttr, std::string(kLayoutNhwc));
  g.value(y_nhwc).producer = id;
  AddTranspose(g, node_name + "_to_nhwc", x, x_nhwc, kToNhwc);
  AddTranspose(g, node_name + "_from_nhwc", y_nhwc, y, kToNchw);
}

// A Transpose whose non-unit dims keep their order moves no bytes: it is a
// Reshape to the output dims (one unknown dim becomes -1). Unknown dims
// count as non-unit.
bool TransposeToReshape(ir::Graph& g, ir::NodeId id) {
  const ir::Node& n = g.node(id);
  if (n.op != OpKind::kTranspose || n.inputs.size() != 1 || !n.attrs.Has("perm")) return false;
  const ir::TensorType& in = g.value(n.inputs[0]).type;
  const Perm perm = n.attrs.GetInts("perm");
  if (!in.rank_known || in.rank() != static_cast<int>(perm.size())) return false;
  int64_t last = -1;
  std::vector<int64_t> shape;
  int unknown = 0;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.rank()) return false;
    const int64_t d = in.dims[static_cast<size_t>(p)];
    if (d == 0) return false;  // Reshape reads 0 as "copy this dim"
    if (d != 1) {
      if (p < last) return false;
      last = p;
    }
    if (d < 0) ++unknown;
    shape.push_back(d < 0 ? -1 : d);
  }
  if (unknown > 1) return false;
  Tensor shape_tensor(DataType::kInt64, {static_cast<int64_t>(shape.size())});
  std::copy(shape.begin(), shape.end(), shape_tensor.data<int64_t>());
  const std::string base = g.value(n.outputs[0]).name;
  const ir::ValueId shape_id = g.AddConstant(UniqueValueName(g, base + "_shape"), std::move(shape_tensor));
  ir::Node& r = g.node(id);
  r.op = OpKind::kReshape;
  r.attrs = {};
  r.inputs.push_back(shape_id);
  return true;
}

// Values the sinking created between NHWC ops carry no tag: give them the
// NHWC one of their inputs (nodes are topologically sorted).
void PropagateNhwcTag(ir::Graph& g) {
  for (const ir::Node& n : g.nodes) {
    if (!KeepsLayout(n.op)) continue;
    bool nhwc = false;
    for (ir::ValueId in : n.inputs) {
      nhwc = nhwc || (in != ir::kNoValue && !g.value(in).is_constant() &&
                      g.value(in).type.layout == ir::Layout::kNHWC && g.value(in).type.rank() == 4);
    }
    if (!nhwc) continue;
    for (ir::ValueId out : n.outputs) {
      ir::TensorType& t = g.value(out).type;
      if (out != ir::kNoValue && t.layout == ir::Layout::kAny && t.rank_known && t.rank() == 4) {
        t.layout = ir::Layout::kNHWC;
      }
    }
  }
}

}  // namespace

bool CanRunNhwc(const ir::Graph& g, const ir::Node& n) {
  if (n.removed || n.attrs.Has(kLayoutAttr)) return false;
  // The ops whose shape inference takes qf_layout (ops::InferWithLayout in
  // conv.cc and pool.cc): a runtime capability, narrower than the op table's
  // kSpatial (ConvTranspose and Resize have no NHWC form here).
  switch (n.op) {
    case OpKind::kConv:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
    case OpKind::kGlobalMaxPool:
      break;
    case OpKind::kMaxPool:
      if (n.outputs.size() != 1) return false;
      break;
    default:
      return false;
  }
  if (n.input(0) == ir::kNoValue || n.outputs.empty() || n.outputs[0] == ir::kNoValue) return false;
  const ir::Value& x = g.value(n.inputs[0]);
  if (x.is_constant() || !x.type.rank_known || x.type.rank() != 4) return false;
  if (n.op == OpKind::kConv) {
    const ir::ValueId w = n.input(1);
    if (w == ir::kNoValue || !g.value(w).type.rank_known || g.value(w).type.rank() != 4) return false;
  }
  return true;
}

Status ConvertToNhwc(ir::Graph& g, const std::function<bool(const ir::Node&)>& wants_nhwc,
                     LayoutReport* report) {
  LayoutReport r;
  // Decide on the graph as given: the predicate never sees a half-converted one.
  std::vector<ir::NodeId> chosen;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (CanRunNhwc(g, n) && (!wants_nhwc || wants_nhwc(n))) chosen.push_back(static_cast<ir::NodeId>(i));
  }
  for (ir::NodeId id : chosen) WrapNhwc(g, id);
  r.converted = static_cast<int>(chosen.size());
  if (r.converted == 0) {
    if (report != nullptr) *report = r;
    return Status::Ok();
  }
  QF_RETURN_IF_ERROR(g.TopologicalSort().WithContext("ConvertToNhwc: "));
  QF_RETURN_IF_ERROR(SinkTransposes(g));
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (TransposeToReshape(g, static_cast<ir::NodeId>(i))) ++r.reshapes;
  }
  QF_RETURN_IF_ERROR(FinishPass(&g, "ConvertToNhwc"));
  PropagateNhwcTag(g);
  r.transposes = static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(), [](const ir::Node& n) {
    return !n.removed && n.op == OpKind::kTranspose;
  }));
  if (report != nullptr) *report = r;
  return Status::Ok();
}

Status CheckNoRuntimeLayout(const ir::Graph& g) {
  for (const ir::Node& n : g.nodes) {
    if (!n.removed && n.attrs.Has(kLayoutAttr)) {
      return InvalidArgument(g.Describe(n) + ": carries the runtime-only attribute " + kLayoutAttr + "=" +
                             n.attrs.GetString(kLayoutAttr, "") +
                             " (a graph converted for execution), which no model file can express");
    }
  }
  return Status::Ok();
}

}  // namespace qforge::passes
