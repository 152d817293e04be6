#include "io/onnx/onnx_writer.h"

#include <onnx/onnx_pb.h>

#include <unordered_set>

#include "io/atomic_file.h"
#include "io/onnx/onnx_attrs.h"
#include "io/onnx/onnx_tensor.h"
#include "ops/infer.h"

namespace qforge::io {

namespace {

constexpr int64_t kOnnxIrVersion = 8;

class Exporter {
 public:
  explicit Exporter(const ir::Graph& g) : g_(g) {}
  Result<std::string> Run();

 private:
  std::string Fresh(const std::string& hint);
  void AssignNames();
  // The name a node reads `id` under; writes the initializer on first use.
  std::string Use(ir::ValueId id);
  onnx::NodeProto* AddNode(const std::string& op_type, const std::string& name);
  Status WriteNode(const ir::Node& n);
  Status WriteCoercedSoftmax(const ir::Node& n);
  Status WriteReduceWithAxesAttr(const ir::Node& n);
  void WriteOutputs();
  void InferMissingTypes();

  const ir::Graph& g_;
  onnx::ModelProto model_;
  onnx::GraphProto* graph_ = model_.mutable_graph();
  std::vector<std::string> names_;  // per ValueId
  std::unordered_set<std::string> used_names_;
  std::unordered_set<std::string> node_names_;
  std::vector<char> initializer_written_;
  std::vector<char> is_output_;
  std::vector<ir::TensorType> types_;  // per ValueId: the graph's, completed by inference
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
  for (size_t i = 0; i < g_.values.size(); ++i) {
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
Status Exporter::WriteCoercedSoftmax(const ir::Node& n) {
  const ir::TensorType& x = types_[static_cast<size_t>(n.inputs[0])];
  const int64_t axis = n.attrs.GetInt("axis", 1);
  const std::string op(OpName(n.op));
  const int rank = x.rank();
  if (x.rank_known && (axis == rank - 1 || axis == -1)) {
    onnx::NodeProto* p = AddNode(op, n.name);
    p->add_input(Use(n.inputs[0]));
    p->add_output(names_[static_cast<size_t>(n.outputs[0])]);
    AttributeToProto("axis", int64_t{-1}, p->add_attribute());
    return Status::Ok();
  }
  const std::string shape = Fresh(n.name + "_shape"), flat = Fresh(n.name + "_flat"),
                    soft = Fresh(n.name + "_2d");
  onnx::NodeProto* s = AddNode("Shape", n.name + "_shape");
  s->add_input(Use(n.inputs[0]));
  s->add_output(shape);
  onnx::NodeProto* f = AddNode("Flatten", n.name + "_flatten");
  f->add_input(Use(n.inputs[0]));
  f->add_output(flat);
  AttributeToProto("axis", axis, f->add_attribute());
  onnx::NodeProto* p = AddNode(op, n.name);
  p->add_input(flat);
  p->add_output(soft);
  AttributeToProto("axis", int64_t{-1}, p->add_attribute());
  onnx::NodeProto* r = AddNode("Reshape", n.name + "_reshape");
  r->add_input(soft);
  r->add_input(shape);
  r->add_output(names_[static_cast<size_t>(n.outputs[0])]);
  return Status::Ok();
}

// ReduceMean/ReduceMax take axes as an attribute until opset 18, and have
// no noop_with_empty_axes: an empty axes list with noop=1 becomes Identity.
Status Exporter::WriteReduceWithAxesAttr(const ir::Node& n) {
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
  p->add_input(Use(n.inputs[0]));
  p->add_output(names_[static_cast<size_t>(n.outputs[0])]);
  if (axes.empty() && noop) return Status::Ok();
  if (!axes.empty()) AttributeToProto("axes", axes, p->add_attribute());
  AttributeToProto("keepdims", n.attrs.GetInt("keepdims", 1), p->add_attribute());
  return Status::Ok();
}

Status Exporter::WriteNode(const ir::Node& n) {
  if ((n.op == OpKind::kSoftmax || n.op == OpKind::kLogSoftmax) && n.attrs.GetInt("coerce_2d", 0) != 0) {
    return WriteCoercedSoftmax(n);
  }
  if (n.op == OpKind::kReduceMean || n.op == OpKind::kReduceMax) return WriteReduceWithAxesAttr(n);
  onnx::NodeProto* p = AddNode(std::string(GetOpInfo(n.op).onnx_type), n.name);
  for (ir::ValueId in : n.inputs) p->add_input(Use(in));
  for (ir::ValueId out : n.outputs)
    p->add_output(out == ir::kNoValue ? "" : names_[static_cast<size_t>(out)]);
  for (const auto& [name, value] : n.attrs.all()) {
    if (name == "coerce_2d") continue;  // qforge-only, false here
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
    if (!written.insert(name).second) {
      // The same value listed twice: ONNX output names must be unique.
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

Result<std::string> Exporter::Run() {
  model_.set_ir_version(kOnnxIrVersion);
  model_.set_producer_name("qforge");
  model_.set_producer_version("0.1.0");
  onnx::OperatorSetIdProto* opset = model_.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxExportOpset);
  graph_->set_name(g_.name.empty() ? "qforge" : g_.name);

  // ONNX ops read 4-D activations as NCHW; a graph a layout pass turned
  // NHWC would export to a model that computes something else.
  for (const ir::Value& v : g_.values) {
    if (v.type.layout == ir::Layout::kNHWC) {
      return Unsupported("value '" + v.name + "' is NHWC; ONNX export needs the NCHW graph");
    }
  }
  AssignNames();
  InferMissingTypes();
  initializer_written_.assign(g_.values.size(), 0);
  is_output_.assign(g_.values.size(), 0);
  for (ir::ValueId id : g_.outputs) is_output_[static_cast<size_t>(id)] = 1;

  for (ir::ValueId id : g_.inputs) {
    onnx::ValueInfoProto* info = graph_->add_input();
    info->set_name(names_[static_cast<size_t>(id)]);
    TypeToProto(g_.value(id).type, info->mutable_type());
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
  std::string bytes;
  if (!model_.SerializeToString(&bytes)) {
    return InvalidArgument("model is too large for a single ONNX protobuf (2 GiB limit)");
  }
  return bytes;
}

}  // namespace

Result<std::string> SerializeOnnx(const ir::Graph& graph) {
  Exporter exporter(graph);
  return exporter.Run();
}

Status WriteOnnx(const ir::Graph& graph, const std::string& path) {
  Result<std::string> bytes = SerializeOnnx(graph);
  if (!bytes.ok()) return bytes.status().WithContext(path + ": ");
  return WriteFileAtomic(path, bytes.value());
}

}  // namespace qforge::io
