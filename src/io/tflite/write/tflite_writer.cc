#include "io/tflite/write/tflite_writer.h"

#include "io/atomic_file.h"
#include "io/tflite/write/tflite_export_ops.h"
#include "io/tflite/write/tflite_layout.h"
#include "io/tflite/write/tflite_writer_builder.h"
#include "ops/op_table.h"
#include "passes/pipelines.h"

namespace qforge::io {

namespace {

// ONNX Runtime's U8S8 form (uint8 activations, int8 weights) has no TFLite
// equivalent: TFLite's integer kernels take int8 activations with int8
// weights (uint8 only at the graph boundary, through QUANTIZE).
Status CheckTfliteQuantization(const ir::Graph& g) {
  for (const ir::Node& n : g.nodes) {
    if (n.removed || ops::RowOf(n.op).weighted != ops::Fact::kYes || n.input(0) == ir::kNoValue) continue;
    if (g.value(n.input(0)).type.dtype == DataType::kUInt8) {
      return Unsupported(
          g.Describe(n) +
          ": uint8 activations with int8 weights do not exist in TFLite; use --activations int8 "
          "(--io uint8 gives uint8 I/O)");
    }
  }
  return Status::Ok();
}

bool IsTopological(const ir::Graph& g) {
  std::vector<bool> ready(g.values.size(), false);
  for (size_t v = 0; v < g.values.size(); ++v) ready[v] = g.values[v].producer == ir::kNoNode;
  for (const ir::Node& n : g.nodes) {
    if (n.removed) continue;
    for (ir::ValueId in : n.inputs) {
      if (in != ir::kNoValue && !ready[static_cast<size_t>(in)]) return false;
    }
    for (ir::ValueId out : n.outputs) ready[static_cast<size_t>(out)] = true;
  }
  return true;
}

// Values written by the DEQUANTIZE of their consumer's constant operand.
bool SkipNode(const ir::Graph& g, const ir::Node& n) {
  return (n.op == OpKind::kDequantizeLinear || n.op == OpKind::kCast) && IsConstDerived(g, n.outputs[0]);
}

}  // namespace

Result<std::string> SerializeTflite(const ir::Graph& graph, uint64_t max_bytes) {
  ir::Graph g = graph;  // constants are shared, not copied
  QF_RETURN_IF_ERROR(passes::BeforeTfliteWrite(&g));
  // Keep the given operator order when it is already topological (a
  // TFLite -> IR -> TFLite round trip then keeps the file's order).
  if (!IsTopological(g)) QF_RETURN_IF_ERROR(g.TopologicalSort());
  QF_RETURN_IF_ERROR(CheckTfliteQuantization(g));
  uint64_t const_bytes = 0;
  for (const ir::Value& v : g.values) {
    if (v.is_constant()) const_bytes += v.constant->byte_size();
  }
  if (const_bytes > max_bytes) {
    return Unsupported("the model's constants take " + std::to_string(const_bytes) +
                       " bytes; a .tflite flatbuffer holds at most " + std::to_string(max_bytes) + " bytes");
  }
  QF_ASSIGN_OR_RETURN(const TfliteLayoutPlan plan, PlanTfliteLayout(g));
  TfliteBuilder b(g, plan);
  for (ir::ValueId v : g.inputs) {
    QF_RETURN_IF_ERROR(b.Output(v).status());
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (n.removed || SkipNode(g, n)) continue;
    QF_RETURN_IF_ERROR(ExportTfliteNode(b, static_cast<ir::NodeId>(i)));
  }
  return b.Finish(max_bytes);
}

Result<std::string> SerializeTflite(const ir::Graph& graph) {
  return SerializeTflite(graph, kTfliteMaxBytes);
}

Status WriteTflite(const ir::Graph& graph, const std::string& path) {
  Result<std::string> bytes = SerializeTflite(graph);
  if (!bytes.ok()) return bytes.status().WithContext(path + ": ");
  return WriteFileAtomic(path, bytes.value());
}

}  // namespace qforge::io
