// The one intermediate representation: importers build it, passes rewrite
// it, exporters and the runtime consume it.
//
// Values are tensors (activations, graph inputs, constants); nodes are ops
// over values. Ids are indices into the graph's vectors; removing a node
// leaves a hole that Compact() closes (passes call it when they are done).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ir/op_kind.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::ir {

using ValueId = int32_t;
using NodeId = int32_t;
constexpr ValueId kNoValue = -1;
constexpr NodeId kNoNode = -1;
constexpr int64_t kDynamicDim = -1;

// What the dims of a 4-D (or 3-D/5-D) activation mean, as a description:
// `dims` are always in this order and no op's semantics depend on the tag
// (spatial ops are NCHW; a TFLite model's NHWC tensors reach them through
// explicit Transposes). The ONNX reader tags 4-D graph inputs kNCHW, the
// TFLite reader its NHWC tensors kNHWC, so data is fed channels-last.
// kAny: layout-free (vectors, weights, shape tensors).
enum class Layout : uint8_t { kAny, kNCHW, kNHWC };
const char* LayoutName(Layout l);

// The static type of a value. `rank_known == false` means even the rank is
// unknown (data-dependent shapes); otherwise dims may hold kDynamicDim with
// an optional symbolic name ("batch").
struct TensorType {
  DataType dtype = DataType::kUndefined;
  bool rank_known = false;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_names;  // empty, or one per dim ("" = unnamed)
  QuantParams quant;
  Layout layout = Layout::kAny;

  int rank() const { return static_cast<int>(dims.size()); }
  bool IsStatic() const;  // rank known and every dim >= 0
  std::string ToString() const;
};

struct Value {
  std::string name;
  TensorType type;
  std::shared_ptr<const Tensor> constant;  // set for initializers / folded constants
  NodeId producer = kNoNode;
  bool is_constant() const { return constant != nullptr; }
};

struct Node {
  std::string name;
  OpKind op = OpKind::kIdentity;
  std::vector<ValueId> inputs;  // kNoValue marks an omitted optional input
  std::vector<ValueId> outputs;
  Attributes attrs;
  bool removed = false;

  ValueId input(size_t i) const { return i < inputs.size() ? inputs[i] : kNoValue; }
};

// How integer kernels scale an int32 accumulator by a real multiplier M:
// - kFixedPoint: QUANT_SPEC 3, M as a Q31 multiplier and a rounding shift
//   (TensorFlow Lite's arithmetic, the default);
// - kFloat: the meaning of an ONNX QDQ file as ONNX Runtime computes it,
//   round_half_even(float(acc) * float(M)); the ONNX reader sets it, so a QDQ
//   model runs in qforge as it does in ONNX Runtime (docs/design/quantized_ir.md).
enum class Requantization : uint8_t { kFixedPoint, kFloat };

class Graph {
 public:
  std::string name;
  int64_t source_opset = 0;  // opset of the default domain in the source file
  std::string source_path;   // for error messages
  // Files besides source_path the model was read from (ONNX external data):
  // commands treat them as inputs, which no output may replace.
  std::vector<std::string> side_files;
  Requantization requantization = Requantization::kFixedPoint;
  std::vector<Value> values;
  std::vector<Node> nodes;      // topologically sorted after TopologicalSort()
  std::vector<ValueId> inputs;  // graph inputs (never constants)
  std::vector<ValueId> outputs;

  ValueId AddValue(std::string value_name, TensorType type = {});
  ValueId AddConstant(std::string value_name, Tensor tensor);
  NodeId AddNode(Node node);  // sets producer of its outputs
  void RemoveNode(NodeId id) { nodes[static_cast<size_t>(id)].removed = true; }

  Value& value(ValueId id) { return values[static_cast<size_t>(id)]; }
  const Value& value(ValueId id) const { return values[static_cast<size_t>(id)]; }
  Node& node(NodeId id) { return nodes[static_cast<size_t>(id)]; }
  const Node& node(NodeId id) const { return nodes[static_cast<size_t>(id)]; }

  std::optional<ValueId> FindValue(const std::string& value_name) const;
  // Replaces every use of `from` (node inputs and graph outputs) with `to`.
  void ReplaceAllUses(ValueId from, ValueId to);
  // Nodes that read each value, indexed by ValueId.
  std::vector<std::vector<NodeId>> ComputeConsumers() const;

  // Drops removed nodes and values no node or graph I/O references;
  // renumbers ids. Re-sorts topologically.
  Status Compact();
  // Orders nodes so every producer precedes its consumers; fails on a cycle.
  Status TopologicalSort();

  // "node 'conv_3' (Conv)": the prefix of every node error message.
  std::string Describe(const Node& n) const;
};

// Rejects ill-formed graphs: dangling ids, values with two producers, inputs
// read before they are produced, arity outside ops.def, constants whose data
// does not match their type.
Status VerifyGraph(const Graph& g);

// A human-readable listing for `qforge inspect --graph` and debugging.
std::string PrintGraph(const Graph& g);

}  // namespace qforge::ir
