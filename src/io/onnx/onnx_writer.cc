#include "io/onnx/onnx_writer.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "io/atomic_file.h"
#include "io/onnx/onnx_attrs.h"
#include "io/onnx/onnx_opset17.h"
#include "io/onnx/onnx_tensor.h"
#include "ops/infer.h"
#include "ops/op_table.h"
#include "passes/pipelines.h"
#include "qscheme/fused_activation.h"

namespace qforge::io {

namespace {

constexpr int64_t kOnnxIrVersion = 8;

class Exporter {
 public:
  explicit Exporter(const ir::Graph& g) : g_(g) {}
  // A subgraph (an If branch) written into `out`: its inputs are the
  // enclosing graph's values named `input_names`; value and node names stay
  // unique across the model.
  Exporter(const ir::Graph& g, onnx::GraphProto* out, Exporter& parent, std::vector<std::string> input_names)
      : g_(g),
        graph_(out),
        used_names_(parent.used_names_),
        node_names_(parent.node_names_),
        input_names_(std::move(input_names)) {}
  Result<std::string> Run();

 private:
  // Nodes, outputs and value types of g_ into graph_ (not its inputs).
  Status WriteBody();
  Status WriteIf(const ir::Node& n);
  std::string Fresh(const std::string& hint);
  void AssignNames();
  // The name a node reads `id` under; writes the initializer on first use.
  std::string Use(ir::ValueId id);
  // Use, except for an input the opset-17 form writes as an attribute.
  std::string UseUnlessAttribute(const ir::Node& n, size_t i);
  onnx::NodeProto* AddNode(const std::string& op_type, const std::string& name);
  Status WriteNode(const ir::Node& n);
  // Writes `n` as its float ONNX op reading `ins` and writing `outs`, then
  // its fused activation (Relu / Clip) when it has one.
  Status WriteFloat(const ir::Node& n, const std::vector<std::string>& ins,
                    const std::vector<std::string>& outs);
  Status WriteCoercedSoftmax(const ir::Node& n, const std::string& in, const std::string& out);
  Status WriteReduceWithAxesAttr(const ir::Node& n, const std::vector<std::string>& ins,
                                 const std::string& out);
  Status WriteAttributes(const ir::Node& n, onnx::NodeProto* p);
  void WriteActivation(const ir::Node& n, quant::ActivationRange range, const std::string& in,
                       const std::string& out);
  // QDQ layout (docs/design/quantized_ir.md): see qdq notes above WriteQuantizedOp.
  bool IsQuantized(ir::ValueId id) const;
  const QuantParams& ParamsOf(ir::ValueId id) const;
  Status QuantParamNames(ir::ValueId id, std::string* scale, std::string* zero_point);
  Result<std::string> Dequantized(ir::ValueId id);
  // QuantizeLinear(in) -> out's name; node named `node_name` (or after out).
  Status Quantize(const std::string& in, ir::ValueId out, const std::string& node_name = "");
  Status WriteQuantizedOp(const ir::Node& n);
  Status WriteRequantize(const ir::Node& n);
  bool IsHybrid(const ir::Node& n) const;
  Status WriteHybrid(const ir::Node& n);
  std::string AddInitializer(const Tensor& t, const std::string& hint);
  void WriteOutputs();
  void InferMissingTypes();

  const ir::Graph& g_;
  onnx::ModelProto model_;
  onnx::GraphProto* graph_ = model_.mutable_graph();
  std::vector<std::string> names_;  // per ValueId
  std::unordered_set<std::string> own_used_names_, own_node_names_;
  std::unordered_set<std::string>& used_names_ = own_used_names_;  // a subgraph's are its root's
  std::unordered_set<std::string>& node_names_ = own_node_names_;
  std::vector<std::string> input_names_;  // a subgraph's: the enclosing names its inputs bind to
  std::vector<char> initializer_written_;
  std::vector<char> is_output_;
  std::vector<int> use_count_;         // per ValueId: how many node inputs read it
  std::vector<ir::TensorType> types_;  // per ValueId: the graph's, completed by inference
  // (scale, zero point) initializers already written, keyed by their bytes.
  std::map<std::string, std::pair<std::string, std::string>> qparam_names_;
};

// ONNX requires typed graph outputs; a graph built by a pass may not have
// typed every value. Inference failures leave the type as it was.
void Exporter::InferMissingTypes() {
  types_.clear();
  for (const ir::Value& v : g_.values) types_.push_back(v.type);
  for (const ir::Node& n : g_.nodes) {
    if (n.removed) continue;
    bool missing = false;
    for (ir::ValueId out : n.outputs) {
      if (out == ir::kNoValue) continue;
      const ir::TensorType& t = types_[static_cast<size_t>(out)];
      missing = missing || t.dtype == DataType::kUndefined || !t.rank_known;
    }
    if (!missing) continue;
    ops::InferContext ctx;
    ctx.graph = &g_;
    ctx.node = &n;
    for (ir::ValueId in : n.inputs) {
      ctx.inputs.push_back(in == ir::kNoValue ? nullptr : &types_[static_cast<size_t>(in)]);
      ctx.values.push_back(in == ir::kNoValue ? nullptr : g_.value(in).constant.get());
    }
    if (!ops::InferNode(ctx).ok()) continue;
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      if (n.outputs[i] == ir::kNoValue) continue;
      ir::TensorType& t = types_[static_cast<size_t>(n.outputs[i])];
      if (t.dtype == DataType::kUndefined || !t.rank_known) t = std::move(ctx.outputs[i]);
    }
  }
}

std::string Exporter::Fresh(const std::string& hint) {
  std::string base = hint.empty() ? std::string("v") : hint;
  std::string name = base;
  for (int i = 1; used_names_.count(name) != 0; ++i) name = base + "_" + std::to_string(i);
  used_names_.insert(name);
  return name;
}

// ONNX requires unique, non-empty value names; the IR does not.
void Exporter::AssignNames() {
  names_.resize(g_.values.size());
  for (size_t i = 0; i < input_names_.size(); ++i)
    names_[static_cast<size_t>(g_.inputs[i])] = input_names_[i];
  for (size_t i = 0; i < g_.values.size(); ++i) {
    if (!names_[i].empty()) continue;
    const std::string& n = g_.values[i].name;
    if (!n.empty() && used_names_.insert(n).second) names_[i] = n;
  }
  for (size_t i = 0; i < g_.values.size(); ++i) {
    if (names_[i].empty())
      names_[i] = Fresh(g_.values[i].name.empty() ? "v" + std::to_string(i) : g_.values[i].name);
  }
}

std::string Exporter::Use(ir::ValueId id) {
  if (id == ir::kNoValue) return "";
  const size_t i = static_cast<size_t>(id);
  const ir::Value& v = g_.values[i];
  // A constant that is also a graph output is produced by a Constant node
  // (WriteOutputs), not an initializer.
  if (v.is_constant() && !initializer_written_[i] && !is_output_[i]) {
    TensorToProto(*v.constant, names_[i], graph_->add_initializer());
    initializer_written_[i] = 1;
  }
  return names_[i];
}

// ReduceMean/ReduceMax's axes input is written as an attribute at opset 17
// (WriteReduceWithAxesAttr): its initializer would be unused.
std::string Exporter::UseUnlessAttribute(const ir::Node& n, size_t i) {
  const bool axes_attribute = (n.op == OpKind::kReduceMean || n.op == OpKind::kReduceMax) && i == 1;
  if (axes_attribute && n.inputs[i] != ir::kNoValue && g_.value(n.inputs[i]).is_constant()) {
    return names_[static_cast<size_t>(n.inputs[i])];
  }
  return Use(n.inputs[i]);
}

onnx::NodeProto* Exporter::AddNode(const std::string& op_type, const std::string& name) {
  onnx::NodeProto* p = graph_->add_node();
  p->set_op_type(op_type);
  std::string n = name.empty() ? op_type : name;
  std::string unique = n;
  for (int i = 1; !node_names_.insert(unique).second; ++i) unique = n + "_" + std::to_string(i);
  p->set_name(unique);
  return p;
}

// Softmax before opset 13 normalized over a flattened 2-D view; opset 17
// normalizes one axis. Flatten(axis) -> Softmax(-1) -> Reshape(original
// shape) is the same computation.
Status Exporter::WriteCoercedSoftmax(const ir::Node& n, const std::string& in, const std::string& out) {
  const ir::TensorType& x = types_[static_cast<size_t>(n.inputs[0])];
  const int64_t axis = n.attrs.GetInt("axis", 1);
  const std::string op(OpName(n.op));
  const int rank = x.rank();
  if (x.rank_known && (axis == rank - 1 || axis == -1)) {
    onnx::NodeProto* p = AddNode(op, n.name);
    p->add_input(in);
    p->add_output(out);
    AttributeToProto("axis", int64_t{-1}, p->add_attribute());
    return Status::Ok();
  }
  const std::string shape = Fresh(n.name + "_shape"), flat = Fresh(n.name + "_flat"),
                    soft = Fresh(n.name + "_2d");
  onnx::NodeProto* s = AddNode("Shape", n.name + "_shape");
  s->add_input(in);
  s->add_output(shape);
  onnx::NodeProto* f = AddNode("Flatten", n.name + "_flatten");
  f->add_input(in);
  f->add_output(flat);
  AttributeToProto("axis", axis, f->add_attribute());
  onnx::NodeProto* p = AddNode(op, n.name);
  p->add_input(flat);
  p->add_output(soft);
  AttributeToProto("axis", int64_t{-1}, p->add_attribute());
  onnx::NodeProto* r = AddNode("Reshape", n.name + "_reshape");
  r->add_input(soft);
  r->add_input(shape);
  r->add_output(out);
  return Status::Ok();
}

// ReduceMean/ReduceMax take axes as an attribute until opset 18, and have
// no noop_with_empty_axes: an empty axes list with noop=1 becomes Identity.
Status Exporter::WriteReduceWithAxesAttr(const ir::Node& n, const std::vector<std::string>& ins,
                                         const std::string& out) {
  std::vector<int64_t> axes;
  const ir::ValueId axes_id = n.input(1);
  if (axes_id != ir::kNoValue) {
    const ir::Value& a = g_.value(axes_id);
    if (!a.is_constant()) {
      return Unsupported(g_.Describe(n) + ": axes computed at run time cannot be written at opset 17");
    }
    const Tensor& t = *a.constant;
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      axes.push_back(t.dtype() == DataType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i]);
    }
  }
  const bool noop = n.attrs.GetInt("noop_with_empty_axes", 0) != 0;
  onnx::NodeProto* p = AddNode(axes.empty() && noop ? "Identity" : std::string(OpName(n.op)), n.name);
  p->add_input(ins[0]);
  p->add_output(out);
  if (axes.empty() && noop) return Status::Ok();
  if (!axes.empty()) AttributeToProto("axes", axes, p->add_attribute());
  AttributeToProto("keepdims", n.attrs.GetInt("keepdims", 1), p->add_attribute());
  return Status::Ok();
}

// The node's ONNX attributes: qforge-only ones dropped (coerce_2d is false
// on this path; fused activations become nodes), Cast's `to` mapped back to
// the ONNX enum.
Status Exporter::WriteAttributes(const ir::Node& n, onnx::NodeProto* p) {
  for (const auto& [name, value] : n.attrs.all()) {
    if (name == "coerce_2d" || name == quant::kActivationMin || name == quant::kActivationMax) continue;
    QF_ASSIGN_OR_RETURN(const bool write, WriteAttributeAtOpset17(g_, n, name));
    if (!write) continue;
    if (n.op == OpKind::kCast && name == "to") {
      const int64_t to = std::get<int64_t>(value);
      const int32_t onnx_to = DataTypeToOnnx(static_cast<DataType>(to));
      if (onnx_to == onnx::TensorProto::UNDEFINED)
        return InvalidArgument(g_.Describe(n) + ": bad 'to' dtype");
      AttributeToProto("to", int64_t{onnx_to}, p->add_attribute());
      continue;
    }
    AttributeToProto(name, value, p->add_attribute());
  }
  return Status::Ok();
}

std::string Exporter::AddInitializer(const Tensor& t, const std::string& hint) {
  const std::string name = Fresh(hint);
  TensorToProto(t, name, graph_->add_initializer());
  return name;
}

// A fused clamp is Relu when it is [0, inf), Clip otherwise; ONNX Runtime
// drops either when the following QuantizeLinear already clamps there.
void Exporter::WriteActivation(const ir::Node& n, quant::ActivationRange range, const std::string& in,
                               const std::string& out) {
  if (range.min == 0.0f && std::isinf(range.max) && range.max > 0) {
    onnx::NodeProto* r = AddNode("Relu", n.name + "_relu");
    r->add_input(in);
    r->add_output(out);
    return;
  }
  auto bound = [&](float v, const char* suffix) -> std::string {
    if (std::isinf(v)) return "";
    Tensor t(DataType::kFloat32, {});
    t.data<float>()[0] = v;
    return AddInitializer(t, n.name + suffix);
  };
  onnx::NodeProto* c = AddNode("Clip", n.name + "_clip");
  c->add_input(in);
  c->add_input(bound(range.min, "_clip_min"));
  c->add_input(bound(range.max, "_clip_max"));
  c->add_output(out);
}

Status Exporter::WriteFloat(const ir::Node& n, const std::vector<std::string>& ins,
                            const std::vector<std::string>& outs) {
  const std::string_view onnx_type = GetOpInfo(n.op).onnx_type;
  if (onnx_type.empty()) return Unsupported(g_.Describe(n) + ": has no ONNX form");

  const quant::ActivationRange range = quant::FusedActivation(n);
  std::vector<std::string> op_outs = outs;
  const bool activation = !range.unbounded();
  if (activation) {
    if (outs.size() != 1) return Unsupported(g_.Describe(n) + ": a fused activation on a multi-output op");
    op_outs[0] = Fresh(outs[0] + "_preact");
  }
  if ((n.op == OpKind::kSoftmax || n.op == OpKind::kLogSoftmax) && n.attrs.GetInt("coerce_2d", 0) != 0) {
    QF_RETURN_IF_ERROR(WriteCoercedSoftmax(n, ins[0], op_outs[0]));
  } else if (n.op == OpKind::kReduceMean || n.op == OpKind::kReduceMax) {
    QF_RETURN_IF_ERROR(WriteReduceWithAxesAttr(n, ins, op_outs[0]));
  } else {
    std::vector<const ir::TensorType*> out_types;  // omitted optional outputs: null
    for (ir::ValueId out : n.outputs) {
      out_types.push_back(out == ir::kNoValue ? nullptr : &types_[static_cast<size_t>(out)]);
    }
    QF_ASSIGN_OR_RETURN(std::optional<Tensor> split, SplitSizesAtOpset17(g_, n, out_types));
    onnx::NodeProto* p = AddNode(std::string(onnx_type), n.name);
    for (const std::string& in : ins) p->add_input(in);
    if (split) p->add_input(AddInitializer(*split, n.name + "_split"));
    for (const std::string& out : op_outs) p->add_output(out);
    QF_RETURN_IF_ERROR(WriteAttributes(n, p));
  }
  if (activation) WriteActivation(n, range, op_outs[0], outs[0]);
  return Status::Ok();
}

// --- QDQ layout --------------------------------------------------------------
// An integer op of the quantized IR is written the way ONNX Runtime's static
// quantizer lays it out, so that ORT fuses it back into QLinearConv & co.:
// every quantized input goes through its own DequantizeLinear, the float op
// computes, its fused activation follows, and a QuantizeLinear with the
// output's (scale, zero point) produces the int8/uint8 tensor under the
// value's own name.

const QuantParams& Exporter::ParamsOf(ir::ValueId id) const {
  const size_t i = static_cast<size_t>(id);
  const ir::Value& v = g_.values[i];
  if (types_[i].quant.empty() && v.is_constant()) return v.constant->quant();
  return types_[i].quant;
}

bool Exporter::IsQuantized(ir::ValueId id) const {
  if (id == ir::kNoValue) return false;
  const DataType t = types_[static_cast<size_t>(id)].dtype;
  const bool integer =
      t == DataType::kInt8 || t == DataType::kUInt8 || t == DataType::kInt16 || t == DataType::kInt32;
  return integer && !ParamsOf(id).empty();
}

Status Exporter::QuantParamNames(ir::ValueId id, std::string* scale, std::string* zero_point) {
  const size_t i = static_cast<size_t>(id);
  const QuantParams& q = ParamsOf(id);
  const DataType dtype = types_[i].dtype;
  const std::string what = "value '" + names_[i] + "'";
  if (dtype != DataType::kInt8 && dtype != DataType::kUInt8 && dtype != DataType::kInt32) {
    return Unsupported(what + ": " + DataTypeName(dtype) +
                       " quantized values need opset 21 QuantizeLinear; qforge writes opset 17");
  }
  if (q.scale.size() != q.zero_point.size() || q.scale.empty()) {
    return InvalidArgument(what + ": " + std::to_string(q.scale.size()) + " scales but " +
                           std::to_string(q.zero_point.size()) + " zero points");
  }
  if (!q.per_axis() && q.scale.size() != 1)
    return InvalidArgument(what + ": per-tensor quantization with several scales");
  // Identical parameters share one pair of initializers.
  std::string key(DataTypeName(dtype));
  key += ":" + std::to_string(q.axis) + ":";
  key.append(reinterpret_cast<const char*>(q.scale.data()), q.scale.size() * sizeof(float));
  key.append(reinterpret_cast<const char*>(q.zero_point.data()), q.zero_point.size() * sizeof(int64_t));
  auto it = qparam_names_.find(key);
  if (it != qparam_names_.end()) {
    *scale = it->second.first;
    *zero_point = it->second.second;
    return Status::Ok();
  }
  std::vector<int64_t> dims;
  if (q.per_axis()) dims.push_back(static_cast<int64_t>(q.scale.size()));
  Tensor s(DataType::kFloat32, dims), z(dtype, dims);
  for (size_t k = 0; k < q.scale.size(); ++k) {
    s.data<float>()[k] = q.scale[k];
    const int64_t zp = q.zero_point[k];
    if (dtype == DataType::kInt8) z.data<int8_t>()[k] = static_cast<int8_t>(zp);
    if (dtype == DataType::kUInt8) z.data<uint8_t>()[k] = static_cast<uint8_t>(zp);
    if (dtype == DataType::kInt32) z.data<int32_t>()[k] = static_cast<int32_t>(zp);
  }
  *scale = AddInitializer(s, names_[i] + "_scale");
  *zero_point = AddInitializer(z, names_[i] + "_zero_point");
  qparam_names_[key] = {*scale, *zero_point};
  return Status::Ok();
}

Result<std::string> Exporter::Dequantized(ir::ValueId id) {
  std::string scale, zero_point;
  QF_RETURN_IF_ERROR(QuantParamNames(id, &scale, &zero_point));
  const std::string& name = names_[static_cast<size_t>(id)];
  const std::string out = Fresh(name + "_dequantized");
  onnx::NodeProto* p = AddNode("DequantizeLinear", out);
  p->add_input(Use(id));
  p->add_input(scale);
  p->add_input(zero_point);
  p->add_output(out);
  const QuantParams& q = ParamsOf(id);
  if (q.per_axis()) AttributeToProto("axis", int64_t{q.axis}, p->add_attribute());
  return out;
}

Status Exporter::Quantize(const std::string& in, ir::ValueId out, const std::string& node_name) {
  std::string scale, zero_point;
  QF_RETURN_IF_ERROR(QuantParamNames(out, &scale, &zero_point));
  if (types_[static_cast<size_t>(out)].dtype == DataType::kInt32) {
    return Unsupported("value '" + names_[static_cast<size_t>(out)] +
                       "': QuantizeLinear to int32 at opset 17");
  }
  const std::string& name = names_[static_cast<size_t>(out)];
  onnx::NodeProto* p = AddNode("QuantizeLinear", node_name.empty() ? name + "_quantize" : node_name);
  p->add_input(in);
  p->add_input(scale);
  p->add_input(zero_point);
  p->add_output(name);
  const QuantParams& q = ParamsOf(out);
  if (q.per_axis()) AttributeToProto("axis", int64_t{q.axis}, p->add_attribute());
  return Status::Ok();
}

Status Exporter::WriteQuantizedOp(const ir::Node& n) {
  std::vector<std::string> ins, outs;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ir::ValueId in = n.inputs[i];
    if (!IsQuantized(in)) {
      ins.push_back(UseUnlessAttribute(n, i));
      continue;
    }
    Result<std::string> dq = Dequantized(in);
    if (!dq.ok()) return dq.status().WithContext(g_.Describe(n) + ": ");
    ins.push_back(std::move(dq).value());
  }
  for (ir::ValueId out : n.outputs) {
    if (out == ir::kNoValue) {
      outs.push_back("");
    } else {
      const std::string& name = names_[static_cast<size_t>(out)];
      outs.push_back(IsQuantized(out) ? Fresh(name + "_float") : name);
    }
  }
  QF_RETURN_IF_ERROR(WriteFloat(n, ins, outs));
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (!IsQuantized(n.outputs[i])) continue;
    Status s = Quantize(outs[i], n.outputs[i]);
    if (!s.ok()) return s.WithContext(g_.Describe(n) + ": ");
  }
  return Status::Ok();
}

// Requantize has no ONNX op: DequantizeLinear with the input's parameters,
// QuantizeLinear with the output's.
Status Exporter::WriteRequantize(const ir::Node& n) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1 || !IsQuantized(n.inputs[0]) ||
      !IsQuantized(n.outputs[0])) {
    return InvalidArgument(g_.Describe(n) + ": needs one quantized input and one quantized output");
  }
  Result<std::string> dq = Dequantized(n.inputs[0]);
  if (!dq.ok()) return dq.status().WithContext(g_.Describe(n) + ": ");
  // The Q carries the node's name: the reader turns DQ -> Q back into it.
  Status s = Quantize(dq.value(), n.outputs[0], n.name);
  return s.ok() ? s : s.WithContext(g_.Describe(n) + ": ");
}

// Hybrid (dynamic-range) Conv / Gemm / MatMul: float activation, int8
// constant weight, float output. Not ConvTranspose, though weighted: ONNX
// has no integer ConvTranspose (and qforge no hybrid one, quant::HybridRuleFor).
bool Exporter::IsHybrid(const ir::Node& n) const {
  if (ops::RowOf(n.op).weighted != ops::Fact::kYes || n.op == OpKind::kConvTranspose) return false;
  if (n.inputs.size() < 2 || n.outputs.size() != 1 || n.inputs[1] == ir::kNoValue) return false;
  const ir::Value& w = g_.value(n.inputs[1]);
  return types_[static_cast<size_t>(n.inputs[0])].dtype == DataType::kFloat32 && w.is_constant() &&
         w.constant->dtype() == DataType::kInt8 && !ParamsOf(n.inputs[1]).empty() &&
         types_[static_cast<size_t>(n.outputs[0])].dtype == DataType::kFloat32;
}

// ONNX Runtime's dynamic quantizer layout: DynamicQuantizeLinear(x) ->
// ConvInteger / MatMulInteger(x_q, w, x_zero_point) -> Cast(float) ->
// Mul(x_scale * w_scale) -> Add(bias) -> fused activation.
Status Exporter::WriteHybrid(const ir::Node& n) {
  const std::string where = g_.Describe(n) + ": ";
  const ir::ValueId w_id = n.inputs[1];
  Tensor w = *g_.value(w_id).constant;
  const QuantParams& wq = ParamsOf(w_id);
  for (int64_t zp : wq.zero_point) {
    if (zp != 0) return Unsupported(where + "hybrid weights must be symmetric (zero point 0)");
  }
  const bool is_conv = n.op == OpKind::kConv;
  std::string w_name = names_[static_cast<size_t>(w_id)];
  if (n.op == OpKind::kGemm) {
    if (n.attrs.GetInt("transA", 0) != 0 || n.attrs.GetFloat("alpha", 1.0f) != 1.0f ||
        n.attrs.GetFloat("beta", 1.0f) != 1.0f) {
      return Unsupported(where + "hybrid Gemm with transA, alpha or beta is not written");
    }
    if (w.rank() != 2) return InvalidArgument(where + "Gemm weight is not 2-D");
    if (n.attrs.GetInt("transB", 0) != 0) {
      // MatMulInteger has no transB: write the transposed weight.
      Tensor t(DataType::kInt8, {w.dim(1), w.dim(0)});
      for (int64_t r = 0; r < w.dim(0); ++r)
        for (int64_t c = 0; c < w.dim(1); ++c)
          t.data<int8_t>()[c * w.dim(0) + r] = w.data<int8_t>()[r * w.dim(1) + c];
      w_name = AddInitializer(t, w_name + "_transposed");
    }
  }
  if (n.op != OpKind::kGemm || n.attrs.GetInt("transB", 0) == 0) w_name = Use(w_id);
  const std::string x = Use(n.inputs[0]);
  const std::string& out = names_[static_cast<size_t>(n.outputs[0])];
  const std::string xq = Fresh(x + "_quantized"), xs = Fresh(x + "_scale"), xz = Fresh(x + "_zero_point");
  onnx::NodeProto* dql = AddNode("DynamicQuantizeLinear", n.name + "_quantize");
  dql->add_input(x);
  for (const std::string& o : {xq, xs, xz}) dql->add_output(o);

  const std::string acc = Fresh(out + "_int32");
  onnx::NodeProto* mm = AddNode(is_conv ? "ConvInteger" : "MatMulInteger", n.name);
  mm->add_input(xq);
  mm->add_input(w_name);
  mm->add_input(xz);
  mm->add_output(acc);
  if (is_conv) QF_RETURN_IF_ERROR(WriteAttributes(n, mm));

  const std::string acc_f = Fresh(out + "_int32_float");
  onnx::NodeProto* cast = AddNode("Cast", n.name + "_cast");
  cast->add_input(acc);
  cast->add_output(acc_f);
  AttributeToProto("to", int64_t{onnx::TensorProto::FLOAT}, cast->add_attribute());

  // w_scale broadcast per output channel: [1, C, 1, 1] for Conv, [C] for
  // the last axis of MatMul / Gemm.
  std::vector<int64_t> scale_dims;
  if (wq.per_axis()) {
    const int64_t c = static_cast<int64_t>(wq.scale.size());
    if (is_conv) {
      scale_dims.assign(static_cast<size_t>(std::max(w.rank(), 2)), 1);
      scale_dims[1] = c;
    } else {
      scale_dims = {c};
    }
  }
  Tensor w_scale(DataType::kFloat32, scale_dims);
  std::copy(wq.scale.begin(), wq.scale.end(), w_scale.data<float>());
  const std::string w_scale_name = AddInitializer(w_scale, names_[static_cast<size_t>(w_id)] + "_scale");
  const std::string scale = Fresh(out + "_scale");
  onnx::NodeProto* sm = AddNode("Mul", n.name + "_scale");
  sm->add_input(xs);
  sm->add_input(w_scale_name);
  sm->add_output(scale);

  const ir::ValueId b_id = n.input(2);
  const quant::ActivationRange range = quant::FusedActivation(n);
  const bool activation = !range.unbounded();
  const std::string scaled = b_id == ir::kNoValue && !activation ? out : Fresh(out + "_scaled");
  onnx::NodeProto* mul = AddNode("Mul", n.name + "_mul");
  mul->add_input(acc_f);
  mul->add_input(scale);
  mul->add_output(scaled);
  std::string result = scaled;
  if (b_id != ir::kNoValue) {
    const ir::Value& bv = g_.value(b_id);
    // The Conv bias is written only in its broadcastable form, under its name.
    std::string b = is_conv ? names_[static_cast<size_t>(b_id)] : Use(b_id);
    if (is_conv) {
      // A [C] bias must broadcast along axis 1 of NCHW.
      if (!bv.is_constant() || bv.constant->rank() != 1) {
        return Unsupported(where + "hybrid Conv bias must be a constant 1-D tensor");
      }
      std::vector<int64_t> dims(static_cast<size_t>(std::max(w.rank(), 2)), 1);
      dims[1] = bv.constant->dim(0);
      if (!initializer_written_[static_cast<size_t>(b_id)] && use_count_[static_cast<size_t>(b_id)] == 1) {
        TensorToProto(bv.constant->Reshaped(dims), b, graph_->add_initializer());
        initializer_written_[static_cast<size_t>(b_id)] = 1;
      } else {
        b = AddInitializer(bv.constant->Reshaped(dims), b + "_reshaped");
      }
    }
    result = activation ? Fresh(out + "_biased") : out;
    onnx::NodeProto* add = AddNode("Add", n.name + "_bias");
    add->add_input(scaled);
    add->add_input(b);
    add->add_output(result);
  }
  if (activation) WriteActivation(n, range, result, out);
  return Status::Ok();
}

// If: the condition is ONNX's one input; the captured values (inputs 1..)
// are read by name inside the branches.
Status Exporter::WriteIf(const ir::Node& n) {
  onnx::NodeProto* p = AddNode("If", n.name);
  p->add_input(Use(n.inputs[0]));
  std::vector<std::string> captured;
  for (size_t i = 1; i < n.inputs.size(); ++i) captured.push_back(Use(n.inputs[i]));
  for (ir::ValueId out : n.outputs)
    p->add_output(out == ir::kNoValue ? "" : names_[static_cast<size_t>(out)]);
  for (const char* name : {"then_branch", "else_branch"}) {
    onnx::AttributeProto* a = p->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::GRAPH);
    const ir::Graph& branch = *n.attrs.GetGraph(name);
    a->mutable_g()->set_name(branch.name.empty() ? n.name + "_" + name : branch.name);
    Exporter sub(branch, a->mutable_g(), *this, captured);
    Status s = sub.WriteBody();
    if (!s.ok()) return s.WithContext(g_.Describe(n) + ": " + name + ": ");
  }
  return Status::Ok();
}

Status Exporter::WriteNode(const ir::Node& n) {
  std::vector<std::string> ins, outs;
  if (n.op == OpKind::kRequantize) return WriteRequantize(n);
  if (n.op == OpKind::kIf) return WriteIf(n);
  // ONNX's own quantization ops take their scale and zero point as inputs:
  // written as they are, never wrapped in DequantizeLinear/QuantizeLinear.
  if (ops::RowOf(n.op).explicit_qparams != ops::Fact::kYes) {
    if (IsHybrid(n)) return WriteHybrid(n);
    for (ir::ValueId out : n.outputs) {
      if (IsQuantized(out)) return WriteQuantizedOp(n);
    }
  }
  for (size_t i = 0; i < n.inputs.size(); ++i) ins.push_back(UseUnlessAttribute(n, i));
  for (ir::ValueId out : n.outputs)
    outs.push_back(out == ir::kNoValue ? "" : names_[static_cast<size_t>(out)]);
  return WriteFloat(n, ins, outs);
}

void Exporter::WriteOutputs() {
  std::unordered_set<std::string> written;
  for (ir::ValueId id : g_.outputs) {
    const ir::Value& v = g_.value(id);
    std::string name = names_[static_cast<size_t>(id)];
    if (v.is_constant() && written.count(name) == 0) {
      onnx::NodeProto* c = AddNode("Constant", name + "_const");
      c->add_output(name);
      AttributeToProto("value", *v.constant, c->add_attribute());
    }
    const bool is_input = std::find(g_.inputs.begin(), g_.inputs.end(), id) != g_.inputs.end();
    if (!written.insert(name).second || (!input_names_.empty() && is_input)) {
      // The same value listed twice: ONNX output names must be unique. A
      // branch returning an enclosing value also copies it.
      std::string copy = Fresh(name);
      onnx::NodeProto* idn = AddNode("Identity", copy);
      idn->add_input(name);
      idn->add_output(copy);
      name = copy;
      written.insert(copy);
    }
    onnx::ValueInfoProto* info = graph_->add_output();
    info->set_name(name);
    TypeToProto(types_[static_cast<size_t>(id)], info->mutable_type());
  }
}

Status Exporter::WriteBody() {
  AssignNames();
  InferMissingTypes();
  initializer_written_.assign(g_.values.size(), 0);
  is_output_.assign(g_.values.size(), 0);
  for (ir::ValueId id : g_.outputs) is_output_[static_cast<size_t>(id)] = 1;
  use_count_.assign(g_.values.size(), 0);
  for (const ir::Node& n : g_.nodes) {
    for (ir::ValueId in : n.inputs)
      if (!n.removed && in != ir::kNoValue) ++use_count_[static_cast<size_t>(in)];
  }

  for (const ir::Node& n : g_.nodes) {
    if (n.removed) continue;
    QF_RETURN_IF_ERROR(WriteNode(n));
  }
  WriteOutputs();
  // Intermediate types help readers that do not infer shapes themselves.
  std::vector<char> is_io(g_.values.size(), 0);
  for (ir::ValueId id : g_.inputs) is_io[static_cast<size_t>(id)] = 1;
  for (ir::ValueId id : g_.outputs) is_io[static_cast<size_t>(id)] = 1;
  for (const ir::Node& n : g_.nodes) {
    if (n.removed) continue;
    for (ir::ValueId out : n.outputs) {
      if (out == ir::kNoValue || is_io[static_cast<size_t>(out)]) continue;
      const ir::TensorType& t = types_[static_cast<size_t>(out)];
      if (t.dtype == DataType::kUndefined) continue;
      onnx::ValueInfoProto* info = graph_->add_value_info();
      info->set_name(names_[static_cast<size_t>(out)]);
      TypeToProto(t, info->mutable_type());
    }
  }
  return Status::Ok();
}

Result<std::string> Exporter::Run() {
  model_.set_ir_version(kOnnxIrVersion);
  model_.set_producer_name("qforge");
  model_.set_producer_version("0.1.0");
  onnx::OperatorSetIdProto* opset = model_.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxExportOpset);
  graph_->set_name(g_.name.empty() ? "qforge" : g_.name);
  QF_RETURN_IF_ERROR(WriteBody());
  for (ir::ValueId id : g_.inputs) {
    onnx::ValueInfoProto* info = graph_->add_input();
    info->set_name(names_[static_cast<size_t>(id)]);
    TypeToProto(g_.value(id).type, info->mutable_type());
  }
  std::string bytes;
  if (!model_.SerializeToString(&bytes)) {
    return InvalidArgument("model is too large for a single ONNX protobuf (2 GiB limit)");
  }
  return bytes;
}

}  // namespace

Result<std::string> SerializeOnnx(const ir::Graph& graph) {
  QF_RETURN_IF_ERROR(passes::BeforeOnnxWrite(graph));
  Exporter exporter(graph);
  return exporter.Run();
}

Status WriteOnnx(const ir::Graph& graph, const std::string& path) {
  Result<std::string> bytes = SerializeOnnx(graph);
  if (!bytes.ok()) return bytes.status().WithContext(path + ": ");
  return WriteFileAtomic(path, bytes.value());
}

}  // namespace qforge::io
