#include "io/onnx/onnx_reader.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/check.h"
#include "io/atomic_file.h"
#include "io/onnx/onnx_attrs.h"
#include "io/onnx/onnx_form.h"
#include "io/onnx/onnx_legacy.h"
#include "io/onnx/onnx_tensor.h"
#include "io/onnx/onnx_unsupported.h"
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

// Builds the IR of one GraphProto: the model's graph, or a subgraph (an If
// branch) whose names it cannot resolve are captured from its parent: each
// becomes an input of the subgraph (docs/control_flow.md). Errors carry no
// file name; the caller prefixes it.
class Importer {
 public:
  Importer(const onnx::GraphProto& graph, int64_t opset, TensorSource source, Importer* parent = nullptr)
      : graph_(graph), opset_(opset), source_(source), parent_(parent) {}

  // The main graph: verified and run through the import passes.
  Result<std::unique_ptr<ir::Graph>> Run();
  // A subgraph: its nodes in order; its inputs are the captured values.
  Result<std::unique_ptr<ir::Graph>> RunSubgraph();
  const std::vector<std::string>& captured() const { return captured_; }

 private:
  Status Build();
  Status AddInitializers();
  Status AddInputs();
  Status DeclareNodeOutputs();
  Status AddNodes();
  Status AddOutputs();
  Status ConstantNode(const onnx::NodeProto& proto, const std::string& where);
  Status BuildNode(size_t index, const std::string& where);
  Status AddBranches(const onnx::NodeProto& proto, ir::Node* node);
  void SetInputLayouts();
  // The value named `name` here, or captured from the enclosing graphs; nullopt if none defines it.
  std::optional<ir::ValueId> Resolve(const std::string& name);

  std::string UniqueName(const std::string& hint);
  std::string NodeWhere(const onnx::NodeProto& proto, const std::string& name) const {
    return "node '" + name + "' (" + proto.op_type() + ", opset " + std::to_string(opset_) + "): ";
  }
  ir::TensorType DeclaredType(const std::string& name) const;
  Status Define(const std::string& name, ir::ValueId id, const std::string& where);

  const onnx::GraphProto& graph_;
  int64_t opset_;
  TensorSource source_;  // its budget is the model's, shared by the subgraphs
  Importer* parent_;
  std::unique_ptr<ir::Graph> g_ = std::make_unique<ir::Graph>();
  std::unordered_map<std::string, ir::ValueId> names_;
  std::unordered_map<std::string, const onnx::ValueInfoProto*> declared_;
  std::vector<std::string> captured_;  // names of g_->inputs of a subgraph
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

Result<int64_t> ReadOpset(const onnx::ModelProto& model) {
  int64_t opset = 0;
  for (const auto& op : model.opset_import()) {
    if (IsDefaultDomain(op.domain())) opset = op.version();
  }
  if (opset == 0) {
    // A model made only of other domains' ops (training, ML) is valid but
    // not ours; say which domain rather than blaming the file.
    for (const onnx::NodeProto& n : model.graph().node()) {
      if (!IsDefaultDomain(n.domain())) {
        return Unsupported("node '" + n.name() + "' (" + n.op_type() + "): domain '" + n.domain() +
                           "' is not supported");
      }
    }
    return InvalidModel("model has no opset_import for the default ONNX domain");
  }
  if (opset < kMinOpset || opset > kMaxOpset) {
    return Unsupported("opset " + std::to_string(opset) + " of the default domain; qforge reads opsets " +
                       std::to_string(kMinOpset) + "-" + std::to_string(kMaxOpset));
  }
  return opset;
}

Status Importer::AddInitializers() {
  // The declared sizes first: a model whose initializers together pass the
  // budget fails before gigabytes are read (a broken header is reported by
  // the read below, in file order).
  MemoryBudget declared = *source_.budget;
  for (const onnx::TensorProto& init : graph_.initializer()) {
    Result<uint64_t> bytes = TensorProtoBytes(init);
    if (bytes.ok()) QF_RETURN_IF_ERROR(declared.Charge(*bytes, "initializer '" + init.name() + "'"));
  }
  for (const onnx::TensorProto& init : graph_.initializer()) {
    if (init.name().empty()) return InvalidModel("an initializer has no name");
    Result<Tensor> t = TensorFromProto(init, source_);
    if (!t.ok()) return t.status().WithContext("initializer: ");
    QF_RETURN_IF_ERROR(Define(init.name(), g_->AddConstant(init.name(), std::move(t).value()), ""));
  }
  if (graph_.sparse_initializer_size() > 0) return Unsupported("sparse initializers are not supported");
  return Status::Ok();
}

Status Importer::AddInputs() {
  for (const onnx::ValueInfoProto& in : graph_.input()) {
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
  const auto& nodes = graph_.node();
  pending_.resize(static_cast<size_t>(nodes.size()));
  for (int i = 0; i < nodes.size(); ++i) {
    const onnx::NodeProto& proto = nodes[i];
    const std::string name = proto.name().empty() ? proto.op_type() + "_" + std::to_string(i) : proto.name();
    const std::string where = NodeWhere(proto, name);
    if (proto.op_type() == "Constant") {
      QF_RETURN_IF_ERROR(ConstantNode(proto, where));
      continue;
    }
    std::optional<OpKind> op =
        proto.op_type() == "Upsample" ? OpKind::kResize : OpKindFromOnnx(proto.op_type());
    QF_CHECK(op.has_value());  // CheckOpsSupported ran first
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
  const onnx::NodeProto& proto = graph_.node(static_cast<int>(index));
  ir::Node& node = *pending_[index];
  for (const std::string& in : proto.input()) {
    if (in.empty()) {
      node.inputs.push_back(ir::kNoValue);
      continue;
    }
    std::optional<ir::ValueId> id = Resolve(in);
    if (!id) return InvalidModel(where + "input '" + in + "' is never defined");
    node.inputs.push_back(*id);
  }
  while (!node.inputs.empty() && node.inputs.back() == ir::kNoValue) node.inputs.pop_back();
  if (node.op == OpKind::kIf) {
    Status s = AddBranches(proto, &node);
    if (!s.ok()) return s.WithContext(where);
  }
  for (const onnx::AttributeProto& a : proto.attribute()) {
    if (a.name().empty()) return InvalidModel(where + "an attribute has no name");
    if (node.op == OpKind::kIf && a.type() == onnx::AttributeProto::GRAPH) continue;  // AddBranches
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
    const onnx::NodeProto& proto = graph_.node(static_cast<int>(i));
    QF_RETURN_IF_ERROR(BuildNode(i, NodeWhere(proto, pending_[i]->name)));
  }
  return Status::Ok();
}

Status Importer::AddOutputs() {
  if (graph_.output_size() == 0) return InvalidModel("graph has no outputs");
  for (const onnx::ValueInfoProto& out : graph_.output()) {
    // A branch may return an enclosing graph's value as it is.
    std::optional<ir::ValueId> id = Resolve(out.name());
    if (!id) return InvalidModel("graph output '" + out.name() + "' is never produced");
    g_->outputs.push_back(*id);
  }
  return Status::Ok();
}

std::optional<ir::ValueId> Importer::Resolve(const std::string& name) {
  auto it = names_.find(name);
  if (it != names_.end()) return it->second;
  if (parent_ == nullptr) return std::nullopt;
  std::optional<ir::ValueId> outer = parent_->Resolve(name);
  if (!outer) return std::nullopt;
  const ir::Value& v = parent_->g_->value(*outer);
  const ir::ValueId id = g_->AddValue(name, v.type);
  if (v.is_constant()) {
    // A constant is shared (not copied), so folding and inlining see it.
    g_->value(id).constant = v.constant;
  } else {
    captured_.push_back(name);
    g_->inputs.push_back(id);
  }
  names_.emplace(name, id);
  return id;
}

Status Importer::AddBranches(const onnx::NodeProto& proto, ir::Node* node) {
  const onnx::GraphProto* protos[2] = {nullptr, nullptr};
  for (const onnx::AttributeProto& a : proto.attribute()) {
    if (a.type() != onnx::AttributeProto::GRAPH) continue;
    if (a.name() == "then_branch") protos[0] = &a.g();
    if (a.name() == "else_branch") protos[1] = &a.g();
  }
  if (protos[0] == nullptr || protos[1] == nullptr)
    return InvalidModel("needs graph attributes then_branch and else_branch");
  const char* kNames[2] = {"then_branch", "else_branch"};
  std::unique_ptr<ir::Graph> branches[2];
  std::vector<std::string> captured;  // both branches' captures, then_branch's first
  for (int b = 0; b < 2; ++b) {
    Importer sub(*protos[b], opset_, source_, this);
    Result<std::unique_ptr<ir::Graph>> r = sub.RunSubgraph();
    if (!r.ok()) return r.status().WithContext(std::string(kNames[b]) + ": ");
    branches[b] = std::move(r).value();
    for (const std::string& n : sub.captured()) {
      if (std::find(captured.begin(), captured.end(), n) == captured.end()) captured.push_back(n);
    }
  }
  // Both branches bind the same values, in `captured` order; a branch gets
  // an unused input for a value only the other one reads.
  for (int b = 0; b < 2; ++b) {
    ir::Graph& br = *branches[b];
    br.inputs.clear();
    for (const std::string& n : captured) {
      std::optional<ir::ValueId> id = br.FindValue(n);
      if (!id) id = br.AddValue(n, g_->value(*Resolve(n)).type);
      br.inputs.push_back(*id);
    }
    node->attrs.Set(kNames[b], ir::Subgraph(std::move(branches[b])));
  }
  for (const std::string& n : captured) node->inputs.push_back(*Resolve(n));
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

Status Importer::Build() {
  g_->name = graph_.name();
  g_->source_opset = opset_;
  for (const auto* list : {&graph_.value_info(), &graph_.output(), &graph_.input()}) {
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
  return ir::VerifyGraph(*g_);
}

Result<std::unique_ptr<ir::Graph>> Importer::Run() {
  QF_RETURN_IF_ERROR(CheckOpsSupported(graph_));
  QF_RETURN_IF_ERROR(Build());
  SetInputLayouts();
  QF_RETURN_IF_ERROR(passes::AfterOnnxImport(g_.get()));
  // Integer ops read from ONNX mean what ONNX Runtime computes (float requantization).
  g_->requantization = ir::Requantization::kFloat;
  if (source_.files_read != nullptr)
    g_->side_files.assign(source_.files_read->begin(), source_.files_read->end());
  return std::move(g_);
}

Result<std::unique_ptr<ir::Graph>> Importer::RunSubgraph() {
  // If branches have no inputs; Loop and Scan bodies (which have) are not read.
  if (graph_.input_size() > 0) return Unsupported("subgraph inputs are not supported");
  QF_RETURN_IF_ERROR(Build());
  g_->requantization = ir::Requantization::kFloat;
  return std::move(g_);
}

Result<std::unique_ptr<ir::Graph>> Import(const onnx::ModelProto& model, const std::string& base_dir) {
  if (!model.has_graph()) return InvalidModel("model has no graph");
  QF_ASSIGN_OR_RETURN(const int64_t opset, ReadOpset(model));
  MemoryBudget budget;               // the initializers and Constant values read, subgraphs' included
  std::set<std::string> files_read;  // external data files, subgraphs' included
  Importer importer(model.graph(), opset, TensorSource{base_dir, &budget, &files_read});
  return importer.Run();
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
  Result<std::unique_ptr<ir::Graph>> g = Import(model, base_dir);
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
