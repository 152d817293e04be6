// The runtime's graph pipeline: what Session::Create does to a copy of the
// model's graph before planning it (the model itself is never changed and
// nothing here is ever written to a file). Every step keeps the graph's
// inputs and outputs (names, types, layouts).
#pragma once

#include <memory>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::runtime {

Result<std::shared_ptr<const ir::Graph>> OptimizeForRuntime(const ir::Graph& graph);

}  // namespace qforge::runtime
