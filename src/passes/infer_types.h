// Re-infers value types after graph rewrites, with the merge rule of the
// ONNX reader: a value with no dtype or unknown rank takes the inferred
// type; a known type keeps its dtype, quant and symbolic dim names and only
// gains static dims inference found.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// Nodes must be topologically sorted. Fails with the first node whose
// inference fails (an unsupported attribute, inconsistent shapes).
// `strict`: a declared dtype the op does not compute is an Internal error
// naming the node (a pass produced an inconsistent graph), and quantization
// parameters the op fixes replace the declared ones.
Status InferTypes(ir::Graph* graph, bool strict = false);

}  // namespace qforge::passes
