// Shape/type inference and attribute validation, one function per op family
// (ops::<family>::Infer), dispatched from ops.def.
//
// Contract of an Infer function:
// - Validate the node's attributes and input types; an attribute value or
//   input dtype qforge does not implement returns Unsupported naming it, a
//   value the ONNX spec forbids returns InvalidModel.
// - Fill ctx.outputs[i] for each output. Where an output shape depends on
//   input *data* that is not available (ctx.input_value(i) == nullptr), set
//   rank_known = false (or dims to kDynamicDim): the runtime then re-infers
//   the node at run time with the actual tensors.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::ops {

struct InferContext {
  const ir::Graph* graph = nullptr;  // for error messages
  const ir::Node* node = nullptr;
  std::vector<const ir::TensorType*> inputs;  // nullptr for omitted optional inputs
  std::vector<const Tensor*> values;          // input data when known (constants, or at run time)
  std::vector<ir::TensorType> outputs;        // sized to node->outputs.size() by the caller

  size_t num_inputs() const { return inputs.size(); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const ir::TensorType& input(size_t i) const { return *inputs[i]; }
  const Tensor* input_value(size_t i) const { return i < values.size() ? values[i] : nullptr; }
  const ir::Attributes& attrs() const { return node->attrs; }

  // "node 'x' (Conv): <msg>" errors.
  Status Invalid(const std::string& msg) const;
  Status Unsupported(const std::string& msg) const;
};

using InferFn = Status (*)(InferContext&);

// Infers ctx.outputs for ctx.node via its family.
Status InferNode(InferContext& ctx);

// Helpers shared by families.
// Normalizes a possibly negative axis against `rank`; error if out of range.
Status NormalizeAxis(const InferContext& ctx, int64_t axis, int rank, int* out);
// Numpy-style broadcast of two static-or-dynamic shapes.
Status BroadcastShapes(const InferContext& ctx, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                       std::vector<int64_t>* out);
// Reads an int64/int32 1-D tensor (axes, pads, shape inputs) as int64 values.
std::vector<int64_t> ReadInts(const Tensor& t);
// An output type with the given dtype and dims, rank known.
ir::TensorType MakeType(DataType dtype, std::vector<int64_t> dims);
// Rejects inputs whose dtype is not in `allowed` (Unsupported, naming it).
Status RequireDtype(const InferContext& ctx, size_t input, std::initializer_list<DataType> allowed);
// An int8/uint8 tensor type with quantization parameters.
bool IsQuantized8(const ir::TensorType& t);
// Ops whose integer form moves or compares codes (MaxPool, AveragePool,
// GlobalMaxPool, Max, Min): every input and the output share input 0's
// (S, Z) (QUANT_SPEC 2). Sets the output's parameters when input 0 is
// quantized; another input's parameters, or a declared output's, that
// differ are a quantizer or model error, not something to requantize
// silently.
Status KeepInputQuant(InferContext& ctx);

// Declarations of every family's Infer, generated from ops.def.
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) \
  namespace family {                                                     \
  Status Infer(InferContext& ctx);                                       \
  }
#include "ir/ops.def"
#undef QF_OP

}  // namespace qforge::ops
