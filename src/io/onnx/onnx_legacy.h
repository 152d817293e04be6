// Rewrites nodes of older ONNX opsets into the IR's form (ops.def): inputs
// that old opsets carried as attributes become constant inputs, Softmax
// before opset 13 is marked coerce_2d, Upsample becomes Resize, Cast's `to`
// becomes a qforge DataType. Runs once per node while importing, after the
// node's inputs are resolved, trailing empty inputs/outputs trimmed and its
// form checked (onnx_form.h: input counts and attribute types).
#pragma once

#include <functional>
#include <string>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::io {

// Adds a constant to the graph under a unique name derived from `hint`.
using AddConstantFn = std::function<ir::ValueId(const std::string& hint, Tensor tensor)>;

// Errors name the attribute or the rule, not the node (the caller prefixes
// "node 'n' (OpType, opset N): ").
Status NormalizeLegacyNode(const ir::Graph& graph, const std::string& onnx_op, int64_t opset,
                           const AddConstantFn& add_constant, ir::Node* node);

}  // namespace qforge::io
