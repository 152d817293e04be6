// The ONNX form of a node at the model's opset, checked before anything
// reads it: enough inputs, required inputs present, and the attributes the
// importer's rewrites (onnx_legacy.cc) read of the type ONNX gives them.
// Rewrites index inputs and read attributes with defaults; a node that
// passes this check cannot make them read out of bounds or silently take a
// default for a mistyped attribute.
#pragma once

#include <cstdint>
#include <string>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::io {

// `node` has its inputs resolved (trailing empty ones trimmed) and its
// attributes set, nothing rewritten yet. Errors name the input or the
// attribute; the caller prefixes the node.
Status CheckOnnxForm(const ir::Node& node, const std::string& onnx_op, int64_t opset);

}  // namespace qforge::io
