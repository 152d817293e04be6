#include "quant/quantizer.h"

#include "passes/infer_types.h"
#include "quant/quantize_internal.h"

namespace qforge::quant {

namespace {

struct ModeName {
  QuantMode mode;
  const char* name;
};
constexpr ModeName kModes[] = {{QuantMode::kWeightOnly, "weight-only"},
                               {QuantMode::kDynamic, "dynamic"},
                               {QuantMode::kFloat16, "float16"},
                               {QuantMode::kInt8, "int8"},
                               {QuantMode::kInt8Only, "int8-only"}};

}  // namespace

Result<QuantMode> ParseQuantMode(std::string_view s) {
  for (const ModeName& m : kModes) {
    if (s == m.name) return m.mode;
  }
  return InvalidArgument("unknown quantization mode '" + std::string(s) +
                         "' (expected weight-only, dynamic, float16, int8 or int8-only)");
}

const char* QuantModeName(QuantMode mode) {
  for (const ModeName& m : kModes) {
    if (m.mode == mode) return m.name;
  }
  return "?";
}

bool NeedsCalibration(QuantMode m) { return m == QuantMode::kInt8 || m == QuantMode::kInt8Only; }

int WeightQuantAxis(const QuantizeOptions& opt, OpKind op, int axis) {
  if (!opt.per_channel) return -1;
  if (!opt.per_channel_fc && (op == OpKind::kGemm || op == OpKind::kMatMul)) return -1;
  return axis;
}

NameTable::NameTable(const ir::Graph* g) {
  for (const ir::Value& v : g->values) values_.insert(v.name);
  for (const ir::Node& n : g->nodes) nodes_.insert(n.name);
}

namespace {
std::string Unique(std::set<std::string>& taken, const std::string& hint) {
  std::string name = hint;
  for (int i = 1; taken.count(name); ++i) name = hint + "_" + std::to_string(i);
  taken.insert(name);
  return name;
}
}  // namespace

std::string NameTable::Make(const std::string& hint) { return Unique(values_, hint); }
std::string NameTable::MakeNode(const std::string& hint) { return Unique(nodes_, hint); }

ir::ValueId AddScale(ir::Graph& g, NameTable& names, const std::string& base, const QuantParams& p) {
  std::vector<int64_t> dims;
  if (p.per_axis()) dims = {static_cast<int64_t>(p.scale.size())};
  Tensor t(DataType::kFloat32, dims);
  for (size_t i = 0; i < p.scale.size(); ++i) t.data<float>()[i] = p.scale[i];
  return g.AddConstant(names.Make(base + "_scale"), std::move(t));
}

ir::ValueId AddZeroPoint(ir::Graph& g, NameTable& names, const std::string& base, const QuantParams& p,
                         DataType dtype) {
  std::vector<int64_t> dims;
  if (p.per_axis()) dims = {static_cast<int64_t>(p.zero_point.size())};
  Tensor t(dtype, dims);
  for (size_t i = 0; i < p.zero_point.size(); ++i) {
    if (dtype == DataType::kUInt8) {
      t.data<uint8_t>()[i] = static_cast<uint8_t>(p.zero_point[i]);
    } else {
      t.data<int8_t>()[i] = static_cast<int8_t>(p.zero_point[i]);
    }
  }
  return g.AddConstant(names.Make(base + "_zero_point"), std::move(t));
}

void QuantizeReport::AddQuantized(const ir::Node& n) {
  ++nodes_quantized;
  ++quantized_by_op[std::string(OpName(n.op))];
  nodes.push_back({n.name, n.op, ""});
}

void QuantizeReport::AddFloat(const ir::Node& n, std::string reason) {
  ++nodes_float;
  if (!reason.empty()) nodes.push_back({n.name, n.op, std::move(reason)});
}

void QuantizeReport::Merge(const QuantizeReport& branch) {
  nodes_quantized += branch.nodes_quantized;
  nodes_float += branch.nodes_float;
  nodes.insert(nodes.end(), branch.nodes.begin(), branch.nodes.end());
  for (const auto& [op, count] : branch.quantized_by_op) quantized_by_op[op] += count;
}

std::vector<std::string> QuantizeReport::FloatLines() const {
  std::vector<std::string> lines;
  for (const NodeOutcome& o : nodes) {
    if (!o.reason.empty())
      lines.push_back("node '" + o.name + "' (" + std::string(OpName(o.op)) + "): " + o.reason);
  }
  return lines;
}

namespace {

constexpr const char* kBranches[] = {"then_branch", "else_branch"};

// Visits the graph and, depth first, the branches of its data-dependent Ifs.
template <typename Visit>
void ForEachGraph(const ir::Graph& g, const Visit& visit) {
  visit(g);
  for (const ir::Node& n : g.nodes) {
    if (n.removed || n.op != OpKind::kIf) continue;
    for (const char* name : kBranches) {
      if (const ir::Graph* b = n.attrs.GetGraph(name)) ForEachGraph(*b, visit);
    }
  }
}

Result<ir::Graph> QuantizeOneGraph(const ir::Graph& graph, const QuantizeOptions& opt, QuantizeReport* r);

// A branch chosen per run is a graph of its own: it is quantized with the
// same options (its values were calibrated by the nested interpreter that
// ran it; a branch calibration never took keeps those nodes in float, each
// listed with the missing range), and its outcomes join the report.
// int8-only cannot hold: an If passes float values in and out.
Status QuantizeBranches(ir::Graph* g, const QuantizeOptions& opt, QuantizeReport* r) {
  for (ir::Node& n : g->nodes) {
    if (n.removed || n.op != OpKind::kIf) continue;
    if (opt.mode == QuantMode::kInt8Only) {
      return Unsupported(g->Describe(n) +
                         ": int8-only: a data-dependent If takes and gives float values; use --mode int8, "
                         "which quantizes its branches");
    }
    QuantizeOptions sub = opt;
    sub.branch = true;
    // The captured values (the If's inputs 1..) enter each branch typed as
    // the outer graph knows them, and the captured constants (weights the
    // branch reads from the outer scope) become the branch's own, so the
    // branch quantizes them like any weight. Their storage is shared.
    const std::vector<ir::ValueId> captured(n.inputs.begin() + 1, n.inputs.end());
    std::vector<ir::Graph> branches;
    for (const char* name : kBranches) {
      const ir::Graph* b = n.attrs.GetGraph(name);
      branches.push_back(b ? *b : ir::Graph());
      ir::Graph& typed = branches.back();
      if (b == nullptr) continue;
      if (typed.inputs.size() != captured.size()) {
        return Internal(g->Describe(n) + ": " + name + " has " + std::to_string(typed.inputs.size()) +
                        " inputs for " + std::to_string(captured.size()) + " captured values");
      }
      std::vector<ir::ValueId> inputs;
      for (size_t i = 0; i < captured.size(); ++i) {
        if (captured[i] == ir::kNoValue) continue;
        const ir::Value& outer = g->value(captured[i]);
        ir::Value& inner = typed.value(typed.inputs[i]);
        inner.type = outer.type;
        inner.constant = outer.constant;
        if (!outer.is_constant()) inputs.push_back(typed.inputs[i]);
      }
      typed.inputs = std::move(inputs);
    }
    n.inputs.resize(1);
    for (ir::ValueId v : captured) {
      if (v != ir::kNoValue && !g->value(v).is_constant()) n.inputs.push_back(v);
    }
    for (size_t k = 0; k < branches.size(); ++k) {
      const char* name = kBranches[k];
      if (n.attrs.GetGraph(name) == nullptr) continue;
      ir::Graph& typed = branches[k];
      QF_RETURN_IF_ERROR(passes::InferTypes(&typed, /*strict=*/true));
      QuantizeReport br;
      br.mode = opt.mode;
      Result<ir::Graph> q = QuantizeOneGraph(typed, sub, &br);
      if (!q.ok()) return q.status().WithContext(g->Describe(n) + ": " + name + ": ");
      n.attrs.Set(name, ir::Subgraph(std::make_shared<const ir::Graph>(std::move(q).value())));
      r->Merge(br);
    }
  }
  return Status::Ok();
}

Result<ir::Graph> QuantizeOneGraph(const ir::Graph& graph, const QuantizeOptions& opt, QuantizeReport* r) {
  ir::Graph g = graph;
  QF_RETURN_IF_ERROR(QuantizeBranches(&g, opt, r));
  switch (opt.mode) {
    case QuantMode::kWeightOnly:
      QF_RETURN_IF_ERROR(QuantizeWeightsOnly(&g, opt, r));
      break;
    case QuantMode::kDynamic:
      QF_RETURN_IF_ERROR(QuantizeDynamic(&g, opt, r));
      break;
    case QuantMode::kFloat16:
      QF_RETURN_IF_ERROR(QuantizeFloat16(&g, opt, r));
      break;
    case QuantMode::kInt8:
    case QuantMode::kInt8Only:
      QF_RETURN_IF_ERROR(QuantizeStatic(&g, opt, r));
      break;
  }
  QF_RETURN_IF_ERROR(g.Compact());
  QF_RETURN_IF_ERROR(ir::VerifyGraph(g));
  // Re-derive every type: an op whose integer form shape inference rejects
  // surfaces here, naming it, as does a dtype the quantizer got wrong.
  QF_RETURN_IF_ERROR(passes::InferTypes(&g, /*strict=*/true));
  return g;
}

}  // namespace

size_t ConstantBytes(const ir::Graph& graph) {
  size_t total = 0;
  ForEachGraph(graph, [&](const ir::Graph& g) {
    for (const ir::Value& v : g.values) {
      if (v.is_constant()) total += v.constant->byte_size();
    }
  });
  return total;
}

namespace {

// What QuantizeGraph refuses whatever the calibration: unknown --exclude
// names (in the If branches too), activation / I/O types.
Status CheckGraphAndOptions(const ir::Graph& graph, const QuantizeOptions& opt) {
  for (const std::string& name : opt.exclude) {
    bool found = false;
    ForEachGraph(graph, [&](const ir::Graph& g) {
      for (const ir::Node& n : g.nodes) found = found || n.name == name;
    });
    if (!found) return InvalidArgument("--exclude: the model has no node named '" + name + "'");
  }
  if (opt.activation_type != DataType::kInt8 && opt.activation_type != DataType::kUInt8) {
    return InvalidArgument("activations must be int8 or uint8");
  }
  if (opt.io_type != DataType::kInt8 && opt.io_type != DataType::kUInt8) {
    return InvalidArgument("--io must be int8 or uint8");
  }
  return Status::Ok();
}

}  // namespace

Status CheckBeforeCalibration(const ir::Graph& graph, const QuantizeOptions& opt) {
  QF_RETURN_IF_ERROR(CheckGraphAndOptions(graph, opt));
  if (opt.mode != QuantMode::kInt8Only) return Status::Ok();
  return CheckIntegerCoverage(graph, opt);
}

Result<ir::Graph> QuantizeGraph(const ir::Graph& graph, const QuantizeOptions& opt, QuantizeReport* report) {
  QuantizeReport local;
  QuantizeReport& r = report ? *report : local;
  r = QuantizeReport{};
  r.mode = opt.mode;
  QF_RETURN_IF_ERROR(CheckGraphAndOptions(graph, opt));
  if (NeedsCalibration(opt.mode) && opt.ranges.empty()) {
    return InvalidArgument(std::string("mode ") + QuantModeName(opt.mode) + " needs calibration ranges");
  }
  r.weight_bytes_before = ConstantBytes(graph);
  QF_ASSIGN_OR_RETURN(ir::Graph g, QuantizeOneGraph(graph, opt, &r));
  r.weight_bytes_after = ConstantBytes(g);
  return g;
}

}  // namespace qforge::quant
