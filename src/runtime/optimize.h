// What Session::Create does to the model's graph before planning it: runs
// the runtime pipeline (passes::BeforeRuntimePlan, passes/pipelines.h) on a
// copy. The model itself is never changed and nothing here is ever written
// to a file.
#pragma once

#include <memory>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::runtime {

Result<std::shared_ptr<const ir::Graph>> OptimizeForRuntime(const ir::Graph& graph);

}  // namespace qforge::runtime
