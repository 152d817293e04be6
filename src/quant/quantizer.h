// Post-training quantization of a float IR graph into the quantized IR
// (docs/design/quantized_ir.md), in the modes of QUANT_SPEC section 4.
//
// The input graph should have been through passes::PrepareForQuantization
// (batch norm folded, activations fused) and, for the int8 modes,
// calibrated on that same graph: ranges are keyed by value name.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::quant {

enum class QuantMode { kWeightOnly, kDynamic, kFloat16, kInt8, kInt8Only };
Result<QuantMode> ParseQuantMode(
    std::string_view s);  // "weight-only", "dynamic", "float16", "int8", "int8-only"
const char* QuantModeName(QuantMode m);
bool NeedsCalibration(QuantMode m);

struct ValueRange {
  float min = 0.0f;
  float max = 0.0f;
};

struct QuantizeOptions {
  QuantMode mode = QuantMode::kInt8;
  bool per_channel = true;  // weights per output channel (else per tensor)
  // Gemm/MatMul weights per output channel too. TFLite's converter does so
  // since 2024; NNAPI, Arm NN 20.08 and older TFLite / TFLite Micro kernels
  // only run per-tensor fully connected layers (`--per-tensor-fc`).
  bool per_channel_fc = true;
  DataType activation_type = DataType::kInt8;  // int8 or uint8 activations (int8 modes)
  DataType io_type = DataType::kInt8;          // int8-only: type of graph inputs/outputs
  std::set<std::string> exclude;               // node names kept in float
  std::map<std::string, ValueRange> ranges;    // calibrated activation ranges (int8 modes)
  // Set for the branches of a data-dependent If (quantized like a graph of
  // their own): a branch with nothing to quantize (an Identity) is no error.
  bool branch = false;
};

// The axis to quantize `op`'s weight along (`axis`: its output-channel axis),
// or -1 for one scale per tensor, as the options ask.
int WeightQuantAxis(const QuantizeOptions& opt, OpKind op, int axis);

// What a mode did with one node.
struct NodeOutcome {
  std::string name;
  OpKind op = OpKind::kCount;
  std::string reason;  // why it stays float; empty when quantized
};

struct QuantizeReport {
  QuantMode mode = QuantMode::kInt8;
  int64_t nodes_quantized = 0;
  int64_t nodes_float = 0;  // float-valued compute nodes left in float
  // Every node quantized, and every node left in float for a reason, in
  // graph order (a node a weight mode has nothing to do with is only counted).
  std::vector<NodeOutcome> nodes;
  std::map<std::string, int64_t> quantized_by_op;  // op name -> count
  size_t weight_bytes_before = 0;
  size_t weight_bytes_after = 0;

  void AddQuantized(const ir::Node& n);
  // An empty reason counts the node without listing it.
  void AddFloat(const ir::Node& n, std::string reason);
  // Adds a branch's node counts and outcomes.
  void Merge(const QuantizeReport& branch);
  // "node 'name' (Op): reason" for every listed node left in float.
  std::vector<std::string> FloatLines() const;
};

// Returns the quantized graph (the input is not modified). Errors:
// InvalidArgument for an unknown --exclude name, a model with no float
// weights (weight-only / dynamic / float16) or nothing to quantize, missing
// ranges; Unsupported for int8-only when some node cannot be integer (the
// message lists every such node).
Result<ir::Graph> QuantizeGraph(const ir::Graph& graph, const QuantizeOptions& options,
                                QuantizeReport* report);

// What QuantizeGraph would refuse before any range is known, so a caller
// can stop before calibrating: unknown --exclude names, bad types and, for
// int8-only, every node without an integer form (the same selection rule
// QuantizeGraph applies, the calibrated ranges aside).
Status CheckBeforeCalibration(const ir::Graph& graph, const QuantizeOptions& options);

// Total bytes of the graph's constants, its If branches' included.
size_t ConstantBytes(const ir::Graph& g);

}  // namespace qforge::quant
