// Drops Identity and inference-mode Dropout nodes before quantization: they
// compute nothing, but each would otherwise become a quantized op with its
// own calibrated range and an extra requantization.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// Consumers of a removed node's output read its input instead. When that
// output is a graph output, the node producing the input writes the output
// value instead, so the name the user sees is unchanged; a node whose input
// is a graph input, a constant or itself a graph output is kept (both names
// must stay visible). A Dropout whose mask output is used, or whose
// training_mode is not a constant false, is kept. `removed` (optional)
// receives the number of nodes dropped. Leaves a compacted, verified graph.
Status RemoveIdentity(ir::Graph* graph, int* removed = nullptr);

}  // namespace qforge::passes
