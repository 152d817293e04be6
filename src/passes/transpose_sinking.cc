#include "passes/transpose_sinking.h"

namespace qforge::passes {

// Placeholder until the pass lands (issue 4, helper H4): no rewrite is exact.
Status SinkTransposes(ir::Graph& graph, TransposeSinkingReport* report) { return Status::Ok(); }

}  // namespace qforge::passes
