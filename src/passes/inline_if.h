// Replaces an If whose condition is a constant by the nodes of the branch
// it chooses. Exporters emit shape-dependent Ifs (Silero VAD: on the input
// length) whose conditions fold once shapes are static; inlined, they
// vanish, their branches fold further, and writers that have no control
// flow (TFLite) can write the graph.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// Inlines every If of `graph` (not of its branches) whose condition is a
// constant; *inlined counts them. The If's outputs keep their values (and
// names): the branch's output nodes write them. Leaves removed nodes
// (callers Compact).
Status InlineConstantIfs(ir::Graph* graph, int* inlined);

}  // namespace qforge::passes
