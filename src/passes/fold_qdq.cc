#include "passes/fold_qdq.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "core/int_element.h"
#include "qscheme/arithmetic.h"
#include "qscheme/fused_activation.h"
#include "qscheme/policy.h"

namespace qforge::passes {

namespace {

using ir::Graph;
using ir::kNoNode;
using ir::kNoValue;
using ir::Node;
using ir::NodeId;
using ir::ValueId;

bool IsActivationType(DataType t) { return t == DataType::kInt8 || t == DataType::kUInt8; }

using ops::QuantForm;

class Folder {
 public:
  explicit Folder(Graph& g) : g_(g) {}
  Status Run();

 private:
  void Refresh();
  NodeId Producer(ValueId v) const;
  // The one node reading `v` when `v` is not a graph output; kNoNode otherwise.
  NodeId OnlyConsumer(ValueId v) const;
  std::optional<QuantParams> ConstParams(const Node& n, int rank) const;
  const Tensor* Const(ValueId v) const { return v == kNoValue ? nullptr : g_.value(v).constant.get(); }
  // The params of a foldable DequantizeLinear producing `v`, or nullptr.
  const QuantParams* DqParams(ValueId v) const;
  bool SetConstantQuant(ValueId v, const QuantParams& q);
  // The clamp of a Relu, or of a Clip whose bounds are absent or float32
  // scalar constants; nullopt for anything else.
  std::optional<quant::ActivationRange> ClampOf(NodeId id) const;

  void FoldConstantQuantize();
  void AnnotateDequantized();
  void FoldOps();
  bool FoldOp(NodeId id);
  bool MatchOutput(ValueId out, bool allow_activation, NodeId* act, NodeId* q, QuantParams* params);
  std::optional<ValueId> QuantizedBias(ValueId bias, const QuantParams& x, const QuantParams& w);
  void FoldDqToQ();
  void FoldHybrids();
  bool FoldHybrid(NodeId dql);
  void RemoveDeadDequantize();

  Graph& g_;
  std::vector<std::vector<NodeId>> consumers_;
  std::vector<NodeId> producer_;
  std::vector<char> is_output_;
  std::vector<std::optional<QuantParams>> dq_params_;  // per node
  std::vector<Node> pending_nodes_;                    // Requantize nodes added after the sweep
};

void Folder::Refresh() {
  consumers_ = g_.ComputeConsumers();
  producer_.assign(g_.values.size(), kNoNode);
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    if (g_.nodes[i].removed) continue;
    for (ValueId out : g_.nodes[i].outputs) {
      if (out != kNoValue) producer_[static_cast<size_t>(out)] = static_cast<NodeId>(i);
    }
  }
  is_output_.assign(g_.values.size(), 0);
  for (ValueId v : g_.outputs) is_output_[static_cast<size_t>(v)] = 1;
  dq_params_.resize(g_.nodes.size());
}

NodeId Folder::Producer(ValueId v) const {
  return v == kNoValue || static_cast<size_t>(v) >= producer_.size() ? kNoNode
                                                                     : producer_[static_cast<size_t>(v)];
}

NodeId Folder::OnlyConsumer(ValueId v) const {
  if (v == kNoValue || static_cast<size_t>(v) >= consumers_.size() || is_output_[static_cast<size_t>(v)])
    return kNoNode;
  const auto& c = consumers_[static_cast<size_t>(v)];
  if (c.size() != 1) return kNoNode;
  // Reading the value twice (Mul(x, x)) is not a single use.
  int uses = 0;
  for (ValueId in : g_.node(c[0]).inputs) uses += in == v ? 1 : 0;
  return uses == 1 ? c[0] : kNoNode;
}

// (scale, zero point) of a QuantizeLinear / DequantizeLinear whose
// parameters are constants; `rank` is the quantized operand's rank (for the
// axis). A 1-element scale is per tensor unless an axis is given.
std::optional<QuantParams> Folder::ConstParams(const Node& n, int rank) const {
  const Tensor* s = Const(n.input(1));
  const Tensor* z = Const(n.input(2));
  if (s == nullptr || s->dtype() != DataType::kFloat32 || s->rank() > 1 || s->num_elements() < 1) return {};
  if (n.input(2) != kNoValue && (z == nullptr || z->num_elements() != s->num_elements())) return {};
  if (n.attrs.GetInt("block_size", 0) != 0) return {};
  QuantParams q;
  for (int64_t i = 0; i < s->num_elements(); ++i) {
    const float v = s->data<float>()[i];
    if (!(v > 0.0f) || !std::isfinite(v)) return {};
    q.scale.push_back(v);
    q.zero_point.push_back(z == nullptr ? 0 : IntElement(*z, i));
  }
  if (s->rank() == 1 && (s->num_elements() > 1 || n.attrs.Has("axis"))) {
    int64_t axis = n.attrs.GetInt("axis", 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return {};
    q.axis = static_cast<int>(axis);
  }
  return q;
}

const QuantParams* Folder::DqParams(ValueId v) const {
  const NodeId p = Producer(v);
  if (p == kNoNode || g_.node(p).op != OpKind::kDequantizeLinear) return nullptr;
  const auto& q = dq_params_[static_cast<size_t>(p)];
  return q ? &*q : nullptr;
}

// Gives constant `v` quantization parameters on its tensor and type; false
// when it already has others.
bool Folder::SetConstantQuant(ValueId v, const QuantParams& q) {
  ir::Value& value = g_.value(v);
  if (!value.constant->quant().empty() && !(value.constant->quant() == q)) return false;
  if (!value.type.quant.empty() && !(value.type.quant == q)) return false;
  Tensor t = *value.constant;  // shares the bytes
  t.set_quant(q);
  value.constant = std::make_shared<const Tensor>(std::move(t));
  value.type.quant = q;
  return true;
}

std::optional<quant::ActivationRange> Folder::ClampOf(NodeId id) const {
  if (id == kNoNode) return {};
  const Node& n = g_.node(id);
  quant::ActivationRange range;
  if (n.op == OpKind::kRelu) {
    range.min = 0.0f;
    return range;
  }
  if (n.op != OpKind::kClip) return {};
  for (size_t i = 1; i < 3; ++i) {
    if (n.input(i) == kNoValue) continue;
    const Tensor* t = Const(n.input(i));
    if (t == nullptr || t->dtype() != DataType::kFloat32 || t->num_elements() != 1) return {};
    (i == 1 ? range.min : range.max) = t->data<float>()[0];
  }
  return range;
}

// Weights exported as float initializer -> QuantizeLinear (PyTorch QAT):
// the constant FoldConstants leaves alone becomes the int8 constant.
void Folder::FoldConstantQuantize() {
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    Node& n = g_.nodes[i];
    if (n.removed || n.op != OpKind::kQuantizeLinear || n.outputs.size() != 1) continue;
    const Tensor* x = Const(n.inputs[0]);
    if (x == nullptr || x->dtype() != DataType::kFloat32) continue;
    const std::optional<QuantParams> q = ConstParams(n, x->rank());
    const Tensor* z = Const(n.input(2));
    const DataType dtype = z == nullptr ? DataType::kUInt8 : z->dtype();
    if (!q || !IsActivationType(dtype)) continue;
    Result<quant::QuantLimits> limits = quant::LimitsOf(dtype);
    if (!limits.ok()) continue;
    Tensor out(dtype, x->dims());
    int64_t inner = 1;
    if (q->per_axis()) {
      for (int d = q->axis + 1; d < x->rank(); ++d) inner *= x->dim(d);
      if (x->dim(q->axis) != static_cast<int64_t>(q->scale.size())) continue;
    }
    for (int64_t e = 0; e < x->num_elements(); ++e) {
      const size_t c = q->per_axis() ? static_cast<size_t>((e / inner) % x->dim(q->axis)) : 0;
      const int32_t v =
          quant::QuantizeValue(x->data<float>()[e], q->scale[c], static_cast<int32_t>(q->zero_point[c]),
                               limits.value().qmin, limits.value().qmax, quant::RoundingRule::kHalfToEven);
      if (dtype == DataType::kInt8) out.data<int8_t>()[e] = static_cast<int8_t>(v);
      if (dtype == DataType::kUInt8) out.data<uint8_t>()[e] = static_cast<uint8_t>(v);
    }
    out.set_quant(*q);
    ir::Value& v = g_.value(n.outputs[0]);
    v.type.dtype = dtype;
    v.type.rank_known = true;
    v.type.dims = x->dims();
    v.type.quant = *q;
    v.constant = std::make_shared<const Tensor>(std::move(out));
    v.producer = kNoNode;
    n.removed = true;
  }
}

// Every DequantizeLinear with constant parameters tells its input's
// parameters: constants get them on their tensor, activations on their type.
// QuantizeLinear outputs get theirs too (shape inference leaves declared
// types, graph outputs and value_info, without them).
void Folder::AnnotateDequantized() {
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = g_.nodes[i];
    if (!n.removed && n.op == OpKind::kQuantizeLinear && n.outputs.size() == 1) {
      ir::TensorType& t = g_.value(n.outputs[0]).type;
      std::optional<QuantParams> q = ConstParams(n, t.rank_known ? t.rank() : 0);
      if (q && t.quant.empty() && IsActivationType(t.dtype)) t.quant = *q;
      continue;
    }
    if (n.removed || n.op != OpKind::kDequantizeLinear) continue;
    const ValueId x = n.inputs[0];
    ir::Value& xv = g_.value(x);
    const DataType dtype = xv.is_constant() ? xv.constant->dtype() : xv.type.dtype;
    if (!IsActivationType(dtype) && dtype != DataType::kInt32) continue;
    const int rank = xv.is_constant() ? xv.constant->rank() : (xv.type.rank_known ? xv.type.rank() : 0);
    std::optional<QuantParams> q = ConstParams(n, rank);
    if (!q) continue;
    if (xv.is_constant()) {
      if (q->per_axis() && xv.constant->dim(q->axis) != static_cast<int64_t>(q->scale.size())) continue;
      if (!SetConstantQuant(x, *q)) continue;
    } else {
      if (q->per_axis()) continue;  // per-axis activations have no integer kernel
      if (!xv.type.quant.empty() && !(xv.type.quant == *q)) continue;
      xv.type.quant = *q;
    }
    dq_params_[i] = q;
  }
}

// Checks that `out` feeds exactly one QuantizeLinear (through one Relu /
// Clip with constant bounds when allowed) and returns its parameters.
bool Folder::MatchOutput(ValueId out, bool allow_activation, NodeId* act, NodeId* q, QuantParams* params) {
  *act = kNoNode;
  NodeId c = OnlyConsumer(out);
  if (c == kNoNode) return false;
  const Node* cn = &g_.node(c);
  if (allow_activation && (cn->op == OpKind::kRelu || cn->op == OpKind::kClip)) {
    if (!ClampOf(c)) return false;
    *act = c;
    c = OnlyConsumer(cn->outputs[0]);
    if (c == kNoNode) return false;
    cn = &g_.node(c);
  }
  if (cn->op != OpKind::kQuantizeLinear ||
      cn->inputs[0] != (*act == kNoNode ? out : g_.node(*act).outputs[0]))
    return false;
  const ir::Value& qv = g_.value(cn->outputs[0]);
  if (!IsActivationType(qv.type.dtype)) return false;
  std::optional<QuantParams> p = ConstParams(*cn, qv.type.rank_known ? qv.type.rank() : 0);
  if (!p || p->per_axis()) return false;
  *q = c;
  *params = *p;
  return true;
}

// A float constant bias of a Conv / Gemm becomes int32 with scale
// S_x * S_w[c] (in float32) and zero point 0, rounded half to even, as ONNX
// Runtime's quantizer does.
std::optional<ValueId> Folder::QuantizedBias(ValueId bias, const QuantParams& x, const QuantParams& w) {
  const Tensor* b = Const(bias);
  if (b == nullptr || b->dtype() != DataType::kFloat32 || b->rank() != 1) return {};
  const int64_t n = b->num_elements();
  if (w.per_axis() && static_cast<int64_t>(w.scale.size()) != n) return {};
  Tensor q(DataType::kInt32, {n});
  QuantParams qp;
  qp.axis = w.per_axis() ? 0 : -1;
  for (int64_t c = 0; c < n; ++c) {
    const float scale = x.scale[0] * w.scale[w.per_axis() ? static_cast<size_t>(c) : 0];
    if (c == 0 || w.per_axis()) {
      qp.scale.push_back(scale);
      qp.zero_point.push_back(0);
    }
    q.data<int32_t>()[c] =
        quant::QuantizeValue(b->data<float>()[c], scale, 0, std::numeric_limits<int32_t>::min(),
                             std::numeric_limits<int32_t>::max(), quant::RoundingRule::kHalfToEven);
  }
  q.set_quant(qp);
  const ValueId id = g_.AddConstant(g_.value(bias).name + "_quantized", std::move(q));
  g_.value(id).type.quant = qp;
  return id;
}

bool Folder::FoldOp(NodeId id) {
  const Node& n = g_.node(id);
  // Which ops fold, and under which attribute conditions: the quantization policy.
  const QuantForm rule = quant::QdqFoldForm(g_, n);
  if (rule == QuantForm::kNone || n.outputs.empty()) return false;
  // Which inputs are quantized data (read through a DequantizeLinear).
  std::vector<ValueId> new_inputs = n.inputs;
  std::vector<const QuantParams*> in_params(n.inputs.size(), nullptr);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ValueId in = n.inputs[i];
    if (in == kNoValue) continue;
    const QuantParams* p = DqParams(in);
    if (p != nullptr) {
      in_params[i] = p;
      new_inputs[i] = g_.node(Producer(in)).inputs[0];
      continue;
    }
    const ir::Value& v = g_.value(in);
    const bool data = rule == QuantForm::kBinary || rule == QuantForm::kConcat || i == 0 ||
                      (rule == QuantForm::kLinear && i < 2) || quant::SameScaleOperands(n.op);
    const bool float_bias = rule == QuantForm::kLinear && i == 2 && v.is_constant();
    if (data && !float_bias) return false;
    // Other float inputs (Resize scales, Clip bounds) must be constants.
    if (!float_bias && v.type.dtype == DataType::kFloat32 && !v.is_constant()) return false;
  }
  const QuantParams& x_params = *in_params[0];
  const DataType x_dtype = g_.value(new_inputs[0]).type.dtype;
  if (!IsActivationType(x_dtype) || x_params.per_axis()) return false;
  // Weights and biases of the linear ops.
  if (rule == QuantForm::kLinear) {
    const ir::Value& w = g_.value(new_inputs[1]);
    const bool w_const = w.is_constant();
    if ((!w_const && n.op != OpKind::kMatMul) || in_params[1] == nullptr) return false;
    if (w_const && w.constant->dtype() != DataType::kInt8) return false;
    if (!w_const && !IsActivationType(w.type.dtype)) return false;
    if (w_const && std::any_of(in_params[1]->zero_point.begin(), in_params[1]->zero_point.end(),
                               [](int64_t z) { return z != 0; }))
      return false;
    if (n.input(2) != kNoValue) {
      if (in_params[2] != nullptr) {
        const ir::Value& b = g_.value(new_inputs[2]);
        if (!b.is_constant() || b.constant->dtype() != DataType::kInt32) return false;
      } else {
        std::optional<ValueId> b = QuantizedBias(n.inputs[2], x_params, *in_params[1]);
        if (!b) return false;
        new_inputs[2] = *b;
      }
    }
  }
  // Every output must feed a QuantizeLinear.
  const bool fusable = rule == QuantForm::kLinear || rule == QuantForm::kBinary;
  std::vector<NodeId> acts(n.outputs.size(), kNoNode), qs(n.outputs.size(), kNoNode);
  std::vector<QuantParams> out_params(n.outputs.size());
  for (size_t j = 0; j < n.outputs.size(); ++j) {
    if (n.outputs[j] == kNoValue) continue;
    if (!MatchOutput(n.outputs[j], fusable, &acts[j], &qs[j], &out_params[j])) return false;
    const DataType out_dtype = g_.value(g_.node(qs[j]).outputs[0]).type.dtype;
    if (out_dtype != x_dtype) return false;
    if (rule == QuantForm::kSameAsInput && !(out_params[j] == x_params)) return false;
    if (rule == QuantForm::kFixed && !(out_params[j] == quant::FixedOutputParams(n.op, out_dtype)))
      return false;
  }
  for (size_t i = 0; i < n.inputs.size() && (rule == QuantForm::kBinary || rule == QuantForm::kConcat); ++i) {
    if (in_params[i]->per_axis() || g_.value(new_inputs[i]).type.dtype != x_dtype) return false;
  }
  // Max / Min: every operand at the output's (S, Z), or the group stays float.
  for (size_t i = 1; i < n.inputs.size() && quant::SameScaleOperands(n.op); ++i) {
    if (!(*in_params[i] == x_params) || g_.value(new_inputs[i]).type.dtype != x_dtype) return false;
  }
  // Concat inputs with other parameters than the output are requantized.
  if (rule == QuantForm::kConcat) {
    for (size_t i = 0; i < new_inputs.size(); ++i) {
      if (*in_params[i] == out_params[0]) continue;
      const std::string name = g_.value(new_inputs[i]).name;
      ir::TensorType t = g_.value(new_inputs[i]).type;
      t.quant = out_params[0];
      const ValueId rq = g_.AddValue(name + "_requantized", t);
      Node r;
      r.name = name + "_requantize";
      r.op = OpKind::kRequantize;
      r.inputs = {new_inputs[i]};
      r.outputs = {rq};
      pending_nodes_.push_back(std::move(r));
      new_inputs[i] = rq;
    }
  }
  // Rewrite: the op now reads the quantized values and writes the Qs' outputs.
  Node& m = g_.node(id);
  m.inputs = new_inputs;
  for (size_t j = 0; j < m.outputs.size(); ++j) {
    if (m.outputs[j] == kNoValue) continue;
    if (acts[j] != kNoNode) {
      quant::FuseActivation(&m, *ClampOf(acts[j]));
      g_.node(acts[j]).removed = true;
    }
    Node& q = g_.node(qs[j]);
    q.removed = true;
    m.outputs[j] = q.outputs[0];
    g_.value(m.outputs[j]).producer = id;
  }
  return true;
}

void Folder::FoldOps() {
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    if (g_.nodes[i].removed) continue;
    if (FoldOp(static_cast<NodeId>(i))) Refresh();
  }
}

// DQ -> Q: the same parameters cancel; others are a Requantize.
void Folder::FoldDqToQ() {
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    Node& q = g_.nodes[i];
    if (q.removed || q.op != OpKind::kQuantizeLinear) continue;
    const QuantParams* in = DqParams(q.inputs[0]);
    if (in == nullptr || in->per_axis()) continue;
    const ValueId x = g_.node(Producer(q.inputs[0])).inputs[0];
    const ir::Value& xv = g_.value(x);
    const ir::Value& yv = g_.value(q.outputs[0]);
    if (xv.is_constant() || !IsActivationType(xv.type.dtype) || !IsActivationType(yv.type.dtype)) continue;
    std::optional<QuantParams> out = ConstParams(q, yv.type.rank_known ? yv.type.rank() : 0);
    if (!out || out->per_axis()) continue;
    if (*out == *in && xv.type.dtype == yv.type.dtype) {
      // A graph output keeps its name: leave that pair explicit.
      if (is_output_[static_cast<size_t>(q.outputs[0])]) continue;
      g_.ReplaceAllUses(q.outputs[0], x);
      q.removed = true;
    } else {
      q.op = OpKind::kRequantize;
      q.inputs = {x};
      q.attrs = ir::Attributes();
    }
    Refresh();
  }
}

// DynamicQuantizeLinear -> ConvInteger / MatMulInteger -> Cast -> Mul(x_scale
// * w_scale) -> [Add(bias)] -> [Relu / Clip]: the hybrid op.
bool Folder::FoldHybrid(NodeId dql_id) {
  const Node& dql = g_.node(dql_id);
  if (dql.outputs.size() != 3) return false;
  const ValueId xq = dql.outputs[0], xs = dql.outputs[1], xz = dql.outputs[2];
  const NodeId mm_id = OnlyConsumer(xq);
  if (mm_id == kNoNode || OnlyConsumer(xz) != mm_id) return false;
  const Node& mm = g_.node(mm_id);
  const bool conv = mm.op == OpKind::kConvInteger;
  if (!conv && mm.op != OpKind::kMatMulInteger) return false;
  if (mm.inputs.size() < 3 || mm.inputs[0] != xq || mm.inputs[2] != xz) return false;
  const Tensor* w = Const(mm.inputs[1]);
  if (w == nullptr || w->dtype() != DataType::kInt8 || w->rank() < 2) return false;
  if (const Tensor* wz = Const(mm.input(3)); mm.input(3) != kNoValue) {
    if (wz == nullptr) return false;
    for (int64_t i = 0; i < wz->num_elements(); ++i)
      if (IntElement(*wz, i) != 0) return false;
  }
  const NodeId cast_id = OnlyConsumer(mm.outputs[0]);
  if (cast_id == kNoNode) return false;
  const Node& cast = g_.node(cast_id);
  if (cast.op != OpKind::kCast || cast.attrs.GetInt("to", -1) != static_cast<int64_t>(DataType::kFloat32))
    return false;
  const NodeId sm_id = OnlyConsumer(xs);
  if (sm_id == kNoNode || g_.node(sm_id).op != OpKind::kMul) return false;
  const Node& sm = g_.node(sm_id);
  const Tensor* ws = Const(sm.inputs[0] == xs ? sm.inputs[1] : sm.inputs[0]);
  if (ws == nullptr || ws->dtype() != DataType::kFloat32) return false;
  const NodeId mul_id = OnlyConsumer(cast.outputs[0]);
  if (mul_id == kNoNode || OnlyConsumer(sm.outputs[0]) != mul_id || g_.node(mul_id).op != OpKind::kMul)
    return false;
  // Weight parameters from the scale constant.
  QuantParams wq;
  const int64_t channels = ws->num_elements();
  const int axis = conv ? 0 : w->rank() - 1;
  if (channels != 1) {
    if (channels != w->dim(axis)) return false;
    for (int d = 0; d < ws->rank(); ++d)
      if (ws->dim(d) != 1 && ws->dim(d) != channels) return false;
    wq.axis = axis;
  }
  wq.scale.assign(ws->data<float>(), ws->data<float>() + channels);
  for (float s : wq.scale) {
    if (!(s > 0.0f) || !std::isfinite(s)) return false;
  }
  wq.zero_point.assign(static_cast<size_t>(channels), 0);
  // Optional bias and activation.
  ValueId out = g_.node(mul_id).outputs[0];
  std::vector<NodeId> chain = {dql_id, cast_id, sm_id, mul_id};
  ValueId bias = kNoValue;
  bool gemm = false;
  NodeId next = OnlyConsumer(out);
  if (next != kNoNode && g_.node(next).op == OpKind::kAdd) {
    const Node& add = g_.node(next);
    const ValueId b_id = add.inputs[0] == out ? add.inputs[1] : add.inputs[0];
    const Tensor* b = Const(b_id);
    const ir::TensorType& x_type = g_.value(dql.inputs[0]).type;
    const int64_t n_out = w->dim(conv ? 0 : w->rank() - 1);
    bool ok = b != nullptr && b->dtype() == DataType::kFloat32 && b->num_elements() == n_out;
    if (ok && conv) {
      for (int d = 0; d < b->rank(); ++d) ok = ok && (b->dim(d) == 1 || b->dim(d) == n_out);
    }
    if (ok && !conv) ok = b->rank() == 1 && w->rank() == 2 && x_type.rank_known && x_type.rank() == 2;
    if (ok) {
      bias = b->rank() == 1 ? b_id : g_.AddConstant(g_.value(b_id).name, b->Reshaped({n_out}));
      gemm = !conv;
      out = add.outputs[0];
      chain.push_back(next);
      next = OnlyConsumer(out);
    }
  }
  if (!SetConstantQuant(mm.inputs[1], wq)) return false;
  quant::ActivationRange range;
  if (std::optional<quant::ActivationRange> clamp = ClampOf(next)) {
    range = *clamp;
    out = g_.node(next).outputs[0];
    chain.push_back(next);
  }
  const ValueId x = dql.inputs[0];
  Node& m = g_.node(mm_id);
  m.op = conv ? OpKind::kConv : (gemm ? OpKind::kGemm : OpKind::kMatMul);
  m.inputs = {x, m.inputs[1]};
  if (bias != kNoValue) m.inputs.push_back(bias);
  if (!conv) m.attrs = ir::Attributes();
  m.outputs = {out};
  quant::FuseActivation(&m, range);
  g_.value(out).producer = mm_id;
  for (NodeId c : chain) g_.node(c).removed = true;
  return true;
}

void Folder::FoldHybrids() {
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    if (g_.nodes[i].removed || g_.nodes[i].op != OpKind::kDynamicQuantizeLinear) continue;
    if (FoldHybrid(static_cast<NodeId>(i))) Refresh();
  }
}

void Folder::RemoveDeadDequantize() {
  Refresh();
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    Node& n = g_.nodes[i];
    if (n.removed || n.op != OpKind::kDequantizeLinear) continue;
    const ValueId out = n.outputs[0];
    if (consumers_[static_cast<size_t>(out)].empty() && !is_output_[static_cast<size_t>(out)])
      n.removed = true;
  }
}

Status Folder::Run() {
  bool any = false;
  for (const Node& n : g_.nodes) {
    any = any || n.op == OpKind::kQuantizeLinear || n.op == OpKind::kDequantizeLinear ||
          n.op == OpKind::kDynamicQuantizeLinear;
  }
  if (!any) return Status::Ok();
  Refresh();
  FoldHybrids();
  FoldConstantQuantize();
  Refresh();
  AnnotateDequantized();
  FoldOps();
  FoldDqToQ();
  RemoveDeadDequantize();
  for (Node& n : pending_nodes_) g_.AddNode(std::move(n));
  QF_RETURN_IF_ERROR(g_.Compact());
  return ir::VerifyGraph(g_);
}

}  // namespace

Status FoldQdq(ir::Graph& graph) {
  Folder folder(graph);
  return folder.Run();
}

}  // namespace qforge::passes
