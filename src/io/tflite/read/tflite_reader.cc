#include "io/tflite/read/tflite_reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "io/mapped_file.h"
#include "io/tflite/read/tflite_import_context.h"
#include "io/tflite/read/tflite_import_ops.h"
#include "io/tflite/read/tflite_verify.h"
#include "io/unsupported_ops.h"
#include "passes/pipelines.h"

namespace qforge::io {

namespace {

// Drops nodes none of whose outputs is read or a graph output (the
// unpermuted copies of dequantized weights), until none is left.
void RemoveDeadNodes(ir::Graph& g) {
  for (bool changed = true; changed;) {
    changed = false;
    const auto consumers = g.ComputeConsumers();
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      ir::Node& n = g.nodes[i];
      if (n.removed) continue;
      bool used = false;
      for (ir::ValueId out : n.outputs) {
        used = used || (out != ir::kNoValue && !consumers[static_cast<size_t>(out)].empty()) ||
               std::find(g.outputs.begin(), g.outputs.end(), out) != g.outputs.end();
      }
      if (!used) {
        g.RemoveNode(static_cast<ir::NodeId>(i));
        changed = true;
      }
    }
  }
}

// Transpose sinking leaves a TFLite tensor in the NCHW island under its
// helper name ("<name>_nchw", or the pass's "<name>_pre_transpose") when the
// NHWC value it mirrored is gone. It is the same tensor (the writer stores
// it NHWC again), so it takes the TFLite name back: names survive a
// TFLite -> IR -> TFLite round trip.
// Likewise a Transpose that stays between the island and an NHWC tensor is
// written as an alias of its input (the writer's storage order makes it the
// identity), so the input carries the TFLite name and the NHWC side the
// helper name, unless the NHWC side is a graph output (whose name is kept).
void RestoreTensorNames(ir::Graph& g, const std::vector<std::string>& tensor_names) {
  std::map<std::string, ir::ValueId> by_name;
  for (size_t i = 0; i < g.values.size(); ++i) by_name.emplace(g.values[i].name, static_cast<ir::ValueId>(i));
  const std::set<std::string> names(tensor_names.begin(), tensor_names.end());
  for (const ir::Node& n : g.nodes) {
    if (n.removed || n.op != OpKind::kTranspose || n.inputs.size() != 1 || n.outputs.size() != 1) continue;
    ir::Value& in = g.value(n.inputs[0]);
    ir::Value& out = g.value(n.outputs[0]);
    if (names.count(out.name) == 0 ||
        std::find(g.outputs.begin(), g.outputs.end(), n.outputs[0]) != g.outputs.end()) {
      continue;
    }
    if (in.name == out.name + "_nchw" || in.name == out.name + "_pre_transpose") std::swap(in.name, out.name);
  }
  by_name.clear();
  for (size_t i = 0; i < g.values.size(); ++i) by_name.emplace(g.values[i].name, static_cast<ir::ValueId>(i));
  for (const std::string& name : tensor_names) {
    if (by_name.count(name) != 0) continue;
    for (const char* suffix : {"_nchw", "_pre_transpose"}) {
      auto it = by_name.find(name + suffix);
      if (it == by_name.end()) continue;
      g.value(it->second).name = name;
      by_name.emplace(name, it->second);
      by_name.erase(it);
      break;
    }
  }
}

// Builds the IR of a verified model. Errors carry no file name. With a
// `mapping` (holding `bytes`), aligned constants are views into it.
Result<std::unique_ptr<ir::Graph>> Import(const tflite::Model& model, std::string_view bytes,
                                          std::shared_ptr<const MappedFile> mapping) {
  auto g = std::make_unique<ir::Graph>();
  const tflite::SubGraph& sg = *model.subgraphs()->Get(0);
  if (sg.name() != nullptr) g->name = sg.name()->str();
  tflite_import::ImportContext ctx(model, bytes, g.get(), std::move(mapping));
  QF_RETURN_IF_ERROR(ctx.DeclareTensors());
  const size_t num_ops = sg.operators() == nullptr ? 0 : sg.operators()->size();
  // Operators without an importer are collected and reported together.
  UnsupportedOps missing;
  for (size_t i = 0; i < num_ops; ++i) {
    const tflite::Operator& op = *sg.operators()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const int32_t builtin = BuiltinCodeOf(*model.operator_codes()->Get(op.opcode_index()));
    const std::string builtin_name = BuiltinName(builtin);
    tflite_import::OpArgs args{ctx,
                               op,
                               static_cast<int32_t>(i),
                               builtin,
                               "operator " + std::to_string(i) + " (" + builtin_name + "): ",
                               builtin_name + "_" + std::to_string(i)};
    Status s = tflite_import::ImportOperator(args);
    if (args.no_importer) {
      missing.Add(builtin_name, args.name);
      continue;
    }
    QF_RETURN_IF_ERROR(s);
  }
  QF_RETURN_IF_ERROR(missing.ToStatus());
  // Graph outputs keep the tensor names; signature_def names are aliases
  // the writer derives again, so they are not needed to round-trip.
  for (int32_t t : *sg.outputs()) g->outputs.push_back(ctx.Value(t));
  // A graph output computed by no operator and not an input (nor a
  // constant) is a dangling tensor: the graph verifier would say so less clearly.
  for (int32_t t : *sg.outputs()) {
    const ir::Value& v = g->value(ctx.Value(t));
    const bool is_input = std::find(g->inputs.begin(), g->inputs.end(), ctx.Value(t)) != g->inputs.end();
    if (v.producer == ir::kNoNode && !v.is_constant() && !is_input) {
      return InvalidModel("subgraph output " + DescribeTensor(sg, t) + " is never written");
    }
  }
  g->requantization = ir::Requantization::kFixedPoint;  // TFLite's integer arithmetic
  std::vector<std::string> tensor_names;
  for (size_t i = 0; i < num_ops; ++i) {
    const tflite::Operator& op = *sg.operators()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (op.outputs() == nullptr) continue;
    for (int32_t t : *op.outputs()) tensor_names.push_back(g->value(ctx.Value(t)).name);
  }
  RemoveDeadNodes(*g);
  QF_RETURN_IF_ERROR(g->Compact());
  QF_RETURN_IF_ERROR(ir::VerifyGraph(*g));
  QF_RETURN_IF_ERROR(passes::AfterTfliteImport(g.get()));
  // Only renames values (to names no value has), so the graph stays valid.
  RestoreTensorNames(*g, tensor_names);
  return g;
}

}  // namespace

bool HasTfliteIdentifier(std::string_view head) { return head.size() >= 8 && head.substr(4, 4) == "TFL3"; }

namespace {

Result<std::unique_ptr<ir::Graph>> Read(std::string_view bytes, const std::string& source,
                                        std::shared_ptr<const MappedFile> mapping) {
  // The verifier checks alignment relative to the start of the buffer; the
  // scalars are only safe to read in place when the start is 8-byte aligned.
  std::vector<uint64_t> aligned;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) != 0) {
    aligned.resize((bytes.size() + sizeof(uint64_t) - 1) / sizeof(uint64_t));
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    bytes = std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size());
  }
  const tflite::Model* model = nullptr;
  QF_RETURN_IF_ERROR(VerifyTflite(bytes, source, &model));
  Result<std::unique_ptr<ir::Graph>> g = Import(*model, bytes, std::move(mapping));
  if (!g.ok()) return g.status().WithContext(source + ": ");
  g.value()->source_path = source;
  return g;
}

}  // namespace

Result<std::unique_ptr<ir::Graph>> ReadTfliteFromBytes(std::string_view bytes, const std::string& source) {
  return Read(bytes, source, nullptr);
}

Result<std::unique_ptr<ir::Graph>> ReadTflite(const std::string& path) {
  QF_ASSIGN_OR_RETURN(std::shared_ptr<const MappedFile> file, MappedFile::Open(path));
  Result<std::unique_ptr<ir::Graph>> g = Read(file->bytes(), path, file);
  // The flatbuffer's tables are not read again and the weights the graph
  // views fault back in when a kernel reads them: nothing of the file needs
  // to stay resident. (When no constant views the file, `file` is the last
  // owner and unmaps it here.)
  file->Release(0, file->size());
  return g;
}

}  // namespace qforge::io
