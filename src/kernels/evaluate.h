// Runs one node on concrete tensors: infer with the actual data, allocate
// outputs, run the reference kernel. Used for constant folding, prepare-time
// evaluation of shape subgraphs and data-dependent nodes, and by kernel tests
// that exercise one op without a model file. It lives with the kernels (not
// in runtime/) so that constant folding, a pass, depends only on the layers
// below passes.
#pragma once

#include <vector>

#include "core/memory_budget.h"
#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::kernels {

// Outputs are allocated with CreateCharged: a shape over the memory limit is
// ResourceExhausted naming the node, and with a `budget` (the interpreter's,
// at prepare and run) each output is charged to it.
Status EvaluateNode(const ir::Graph& graph, const ir::Node& node, const std::vector<const Tensor*>& inputs,
                    std::vector<Tensor>* outputs, MemoryBudget* budget = nullptr);

}  // namespace qforge::kernels
