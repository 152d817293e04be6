#include "io/onnx/onnx_reader.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "io/atomic_file.h"
#include "io/onnx/onnx_attrs.h"
#include "io/onnx/onnx_form.h"
#include "io/onnx/onnx_legacy.h"
#include "io/onnx/onnx_tensor.h"
#include "ops/infer.h"
#include "passes/pipelines.h"

namespace qforge::io {

namespace {

// Opset 6 (PyTorch's old exporters) differs from 7 mainly in legacy
// broadcasting, which onnx_legacy.cc rewrites; older opsets carry
// consumed_inputs and other forms we do not model.
constexpr int64_t kMinOpset = 6;
constexpr int64_t kMaxOpset = 18;

bool IsDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

// Builds the IR from a parsed ModelProto. Errors carry no file name; the
// caller prefixes it.
class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::string& base_dir)
      : model_(model), source_{base_dir, &budget_, &files_read_} {}

  Result<std::unique_ptr<ir::Graph>> Run();

 private:
  Status ReadOpset();
  Status AddInitializers();
  Status AddInputs();
  Status DeclareNodeOutputs();
  Status AddNodes();
  Status AddOutputs();
  Status ConstantNode(const onnx::NodeProto& proto, const std::string& where);
  Status BuildNode(size_t index, const std::string& where);
  void SetInputLayouts();

  std::string UniqueName(const std::string& hint);
  std::string NodeWhere(const onnx::NodeProto& proto, const std::string& name) const {
    return "node '" + name + "' (" + proto.op_type() + ", opset " + std::to_string(opset_) + "): ";
  }
  ir::TensorType DeclaredType(const std::string& name) const;
  Status Define(const std::string& name, ir::ValueId id, const std::string& where);

  const onnx::ModelProto& model_;
  MemoryBudget budget_;               // the initializers and Constant values read
  std::set<std::string> files_read_;  // external data files
  TensorSource source_;
  std::unique_ptr<ir::Graph> g_ = std::make_unique<ir::Graph>();
  int64_t opset_ = 0;
  std::unordered_map<std::string, ir::ValueId> names_;
  std::unordered_map<std::string, const onnx::ValueInfoProto*> declared_;
  // Per NodeProto: the node under construction (outputs declared), or
  // nullopt for Constant nodes already turned into values.
  std::vector<std::optional<ir::Node>> pending_;
};

std::string Importer::UniqueName(const std::string& hint) {
  std::string name = hint;
  for (int i = 1; names_.count(name) != 0; ++i) name = hint + "_" + std::to_string(i);
  return name;
}

ir::TensorType Importer::DeclaredType(const std::string& name) const {
  auto it = declared_.find(name);
  ir::TensorType t;
  if (it != declared_.end()) {
    // Already validated when declared_ was filled.
    (void)TypeFromProto(*it->second, &t);
  }
  return t;
}

Status Importer::Define(const std::string& name, ir::ValueId id, const std::string& where) {
  if (!names_.emplace(name, id).second) {
    return InvalidModel(where + "value '" + name + "' is defined more than once");
  }
  return Status::Ok();
}

Status Importer::ReadOpset() {
  for (const auto& op : model_.opset_import()) {
    if (IsDefaultDomain(op.domain())) opset_ = op.version();
  }
  if (opset_ == 0) {
    // A model made only of other domains' ops (training, ML) is valid but
    // not ours; say which domain rather than blaming the file.
    for (const onnx::NodeProto& n : model_.graph().node()) {
      if (!IsDefaultDomain(n.domain())) {
        return Unsupported("node '" + n.name() + "' (" + n.op_type() + "): domain '" + n.domain() +
                           "' is not supported");
      }
    }
    return InvalidModel("model has no opset_import for the default ONNX domain");
  }
  if (opset_ < kMinOpset || opset_ > kMaxOpset) {
    return Unsupported("opset " + std::to_string(opset_) + " of the default domain; qforge reads opsets " +
                       std::to_string(kMinOpset) + "-" + std::to_string(kMaxOpset));
  }
  g_->source_opset = opset_;
  return Status::Ok();
}

Status Importer::AddInitializers() {
  // The declared sizes first: a model whose initializers together pass the
  // budget fails before gigabytes are read (a broken header is reported by
  // the read below, in file order).
  MemoryBudget declared = budget_;
  for (const onnx::TensorProto& init : model_.graph().initializer()) {
    Result<uint64_t> bytes = TensorProtoBytes(init);
    if (bytes.ok()) QF_RETURN_IF_ERROR(declared.Charge(*bytes, "initializer '" + init.name() + "'"));
  }
  for (const onnx::TensorProto& init : model_.graph().initializer()) {
    if (init.name().empty()) return InvalidModel("an initializer has no name");
    Result<Tensor> t = TensorFromProto(init, source_);
    if (!t.ok()) return t.status().WithContext("initializer: ");
    QF_RETURN_IF_ERROR(Define(init.name(), g_->AddConstant(init.name(), std::move(t).value()), ""));
  }
  if (model_.graph().sparse_initializer_size() > 0)
    return Unsupported("sparse initializers are not supported");
  return Status::Ok();
}

Status Importer::AddInputs() {
  for (const onnx::ValueInfoProto& in : model_.graph().input()) {
    ir::TensorType type;
    QF_RETURN_IF_ERROR(TypeFromProto(in, &type));
    auto it = names_.find(in.name());
    if (it != names_.end() && g_->value(it->second).is_constant()) continue;  // an initializer with a default
    if (in.name().empty()) return InvalidModel("a graph input has no name");
    if (type.dtype == DataType::kUndefined)
      return InvalidModel("graph input '" + in.name() + "' has no type");
    ir::ValueId id = g_->AddValue(in.name(), type);
    QF_RETURN_IF_ERROR(Define(in.name(), id, "graph input: "));
    g_->inputs.push_back(id);
  }
  return Status::Ok();
}

Status Importer::ConstantNode(const onnx::NodeProto& proto, const std::string& where) {
  if (proto.output_size() != 1 || proto.output(0).empty())
    return InvalidModel(where + "needs one named output");
  if (proto.attribute_size() != 1) return InvalidModel(where + "needs exactly one value attribute");
  const onnx::AttributeProto& a = proto.attribute(0);
  ir::Attribute value;
  Status s = AttributeFromProto(a, source_, &value);
  if (!s.ok()) return s.WithContext(where);
  Tensor t;
  if (a.name() == "value" && std::holds_alternative<Tensor>(value)) {
    t = std::get<Tensor>(std::move(value));
  } else if (a.name() == "value_float" && std::holds_alternative<float>(value)) {
    t = Tensor(DataType::kFloat32, {});
    t.data<float>()[0] = std::get<float>(value);
  } else if (a.name() == "value_int" && std::holds_alternative<int64_t>(value)) {
    t = Tensor(DataType::kInt64, {});
    t.data<int64_t>()[0] = std::get<int64_t>(value);
  } else if (a.name() == "value_floats" && std::holds_alternative<std::vector<float>>(value)) {
    const auto& v = std::get<std::vector<float>>(value);
    t = Tensor(DataType::kFloat32, {static_cast<int64_t>(v.size())});
    std::copy(v.begin(), v.end(), t.data<float>());
  } else if (a.name() == "value_ints" && std::holds_alternative<std::vector<int64_t>>(value)) {
    const auto& v = std::get<std::vector<int64_t>>(value);
    t = Tensor(DataType::kInt64, {static_cast<int64_t>(v.size())});
    std::copy(v.begin(), v.end(), t.data<int64_t>());
  } else if (a.name() == "value_string" || a.name() == "value_strings" || a.name() == "sparse_value") {
    return Unsupported(where + "attribute '" + a.name() + "' is not supported");
  } else {
    return InvalidModel(where + "attribute '" + a.name() + "' is not a valid Constant value");
  }
  return Define(proto.output(0), g_->AddConstant(proto.output(0), std::move(t)), where);
}

// First pass over nodes: every output gets its value, so inputs can be
// resolved in the second pass even if the file lists nodes out of order.
Status Importer::DeclareNodeOutputs() {
  const auto& nodes = model_.graph().node();
  pending_.resize(static_cast<size_t>(nodes.size()));
  for (int i = 0; i < nodes.size(); ++i) {
    const onnx::NodeProto& proto = nodes[i];
    const std::string name = proto.name().empty() ? proto.op_type() + "_" + std::to_string(i) : proto.name();
    const std::string where = NodeWhere(proto, name);
    if (!IsDefaultDomain(proto.domain())) {
      return Unsupported(where + "domain '" + proto.domain() + "' is not supported");
    }
    if (proto.op_type() == "Constant") {
      QF_RETURN_IF_ERROR(ConstantNode(proto, where));
      continue;
    }
    std::optional<OpKind> op =
        proto.op_type() == "Upsample" ? OpKind::kResize : OpKindFromOnnx(proto.op_type());
    if (!op) return Unsupported(where + "op not supported");
    ir::Node node;
    node.name = name;
    node.op = *op;
    for (const std::string& out : proto.output()) {
      if (out.empty()) {
        node.outputs.push_back(ir::kNoValue);
        continue;
      }
      ir::ValueId id = g_->AddValue(out, DeclaredType(out));
      QF_RETURN_IF_ERROR(Define(out, id, where));
      node.outputs.push_back(id);
    }
    while (!node.outputs.empty() && node.outputs.back() == ir::kNoValue) node.outputs.pop_back();
    pending_[static_cast<size_t>(i)] = std::move(node);
  }
  return Status::Ok();
}

Status Importer::BuildNode(size_t index, const std::string& where) {
  const onnx::NodeProto& proto = model_.graph().node(static_cast<int>(index));
  ir::Node& node = *pending_[index];
  for (const std::string& in : proto.input()) {
    if (in.empty()) {
      node.inputs.push_back(ir::kNoValue);
      continue;
    }
    auto it = names_.find(in);
    if (it == names_.end()) return InvalidModel(where + "input '" + in + "' is never defined");
    node.inputs.push_back(it->second);
  }
  while (!node.inputs.empty() && node.inputs.back() == ir::kNoValue) node.inputs.pop_back();
  for (const onnx::AttributeProto& a : proto.attribute()) {
    if (a.name().empty()) return InvalidModel(where + "an attribute has no name");
    ir::Attribute value;
    Status s = AttributeFromProto(a, source_, &value);
    if (!s.ok()) return s.WithContext(where);
    node.attrs.Set(a.name(), std::move(value));
  }
  auto add_constant = [this](const std::string& hint, Tensor t) {
    const std::string name = UniqueName(hint);
    ir::ValueId id = g_->AddConstant(name, std::move(t));
    names_.emplace(name, id);
    return id;
  };
  // The rewrites below index inputs and read attributes: check the form
  // they read first (onnx_form.h).
  Status s = CheckOnnxForm(node, proto.op_type(), opset_);
  if (s.ok()) s = NormalizeLegacyNode(*g_, proto.op_type(), opset_, add_constant, &node);
  if (!s.ok()) return s.WithContext(where);
  // More inputs/outputs than qforge models are features of newer opsets or
  // training (BatchNormalization statistics, MaxPool indices): unsupported.
  const OpInfo& info = GetOpInfo(node.op);
  const int nin = static_cast<int>(node.inputs.size()), nout = static_cast<int>(node.outputs.size());
  if (nin > info.max_inputs || nout > info.max_outputs) {
    return Unsupported(where + std::to_string(nin) + " inputs and " + std::to_string(nout) +
                       " outputs; qforge supports at most " + std::to_string(info.max_inputs) + " and " +
                       std::to_string(info.max_outputs));
  }
  if (nin < info.min_inputs || nout < info.min_outputs) {
    return InvalidModel(where + "has " + std::to_string(nin) + " inputs and " + std::to_string(nout) +
                        " outputs, expected at least " + std::to_string(info.min_inputs) + " and " +
                        std::to_string(info.min_outputs));
  }
  for (int i = 0; i < info.min_inputs; ++i) {
    if (node.inputs[static_cast<size_t>(i)] == ir::kNoValue) {
      return InvalidModel(where + "required input " + std::to_string(i) + " is empty");
    }
  }
  g_->AddNode(std::move(node));
  return Status::Ok();
}

Status Importer::AddNodes() {
  QF_RETURN_IF_ERROR(DeclareNodeOutputs());
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (!pending_[i]) continue;
    const onnx::NodeProto& proto = model_.graph().node(static_cast<int>(i));
    QF_RETURN_IF_ERROR(BuildNode(i, NodeWhere(proto, pending_[i]->name)));
  }
  return Status::Ok();
}

Status Importer::AddOutputs() {
  if (model_.graph().output_size() == 0) return InvalidModel("graph has no outputs");
  for (const onnx::ValueInfoProto& out : model_.graph().output()) {
    auto it = names_.find(out.name());
    if (it == names_.end()) return InvalidModel("graph output '" + out.name() + "' is never produced");
    g_->outputs.push_back(it->second);
  }
  return Status::Ok();
}

// Conv reads its data input as NCHW; mark rank-4 graph inputs it consumes.
void Importer::SetInputLayouts() {
  for (const ir::Node& n : g_->nodes) {
    if (n.op != OpKind::kConv || n.inputs.empty()) continue;
    ir::Value& v = g_->value(n.inputs[0]);
    bool is_input = std::find(g_->inputs.begin(), g_->inputs.end(), n.inputs[0]) != g_->inputs.end();
    if (is_input && v.type.rank_known && v.type.rank() == 4) v.type.layout = ir::Layout::kNCHW;
  }
}

Result<std::unique_ptr<ir::Graph>> Importer::Run() {
  if (!model_.has_graph()) return InvalidModel("model has no graph");
  QF_RETURN_IF_ERROR(ReadOpset());
  const onnx::GraphProto& graph = model_.graph();
  g_->name = graph.name();
  for (const auto* list : {&graph.value_info(), &graph.output(), &graph.input()}) {
    for (const onnx::ValueInfoProto& vi : *list) {
      ir::TensorType t;
      QF_RETURN_IF_ERROR(TypeFromProto(vi, &t));
      declared_[vi.name()] = &vi;
    }
  }
  QF_RETURN_IF_ERROR(AddInitializers());
  QF_RETURN_IF_ERROR(AddInputs());
  QF_RETURN_IF_ERROR(AddNodes());
  QF_RETURN_IF_ERROR(AddOutputs());
  QF_RETURN_IF_ERROR(g_->TopologicalSort());
  QF_RETURN_IF_ERROR(ir::VerifyGraph(*g_));
  SetInputLayouts();
  QF_RETURN_IF_ERROR(passes::AfterOnnxImport(g_.get()));
  // Integer ops read from ONNX mean what ONNX Runtime computes (float requantization).
  g_->requantization = ir::Requantization::kFloat;
  g_->side_files.assign(files_read_.begin(), files_read_.end());
  return std::move(g_);
}

std::string BaseDir(const std::string& path) {
  std::filesystem::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

}  // namespace

Result<std::unique_ptr<ir::Graph>> ReadOnnxFromBytes(std::string_view bytes, const std::string& source,
                                                     const std::string& base_dir) {
  onnx::ModelProto model;
  Status s = ParseProto(bytes, "model", &model);
  if (!s.ok()) return s.WithContext(source + ": ");
  Importer importer(model, base_dir);
  Result<std::unique_ptr<ir::Graph>> g = importer.Run();
  if (!g.ok()) return g.status().WithContext(source + ": ");
  g.value()->source_path = source;
  return g;
}

Result<std::unique_ptr<ir::Graph>> ReadOnnx(const std::string& path) {
  std::string bytes;
  QF_RETURN_IF_ERROR(ReadFile(path, &bytes, kMaxProtoBytes));
  return ReadOnnxFromBytes(bytes, path, BaseDir(path));
}

Result<Tensor> ReadOnnxTensorFile(const std::string& path) {
  std::string bytes;
  QF_RETURN_IF_ERROR(ReadFile(path, &bytes, kMaxProtoBytes));
  onnx::TensorProto proto;
  Status s = ParseProto(bytes, "tensor file", &proto);
  if (!s.ok()) return s.WithContext(path + ": ");
  Result<Tensor> t = TensorFromProto(proto, TensorSource{BaseDir(path)});
  if (!t.ok()) return t.status().WithContext(path + ": ");
  return t;
}

}  // namespace qforge::io
