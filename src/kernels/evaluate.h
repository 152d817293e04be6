// Runs one node on concrete tensors: infer with the actual data, allocate
// outputs, run the reference kernel. Used for constant folding, prepare-time
// evaluation of shape subgraphs and data-dependent nodes, and by kernel tests
// that exercise one op without a model file. It lives with the kernels (not
// in runtime/) so that constant folding, a pass, depends only on the layers
// below passes.
#pragma once

#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::kernels {

// No single tensor may exceed this: a hostile model can ask for any shape, and
// an allocation failure must be an error, not an abort.
inline constexpr uint64_t kMaxTensorBytes = uint64_t{4} << 30;

Status EvaluateNode(const ir::Graph& graph, const ir::Node& node, const std::vector<const Tensor*>& inputs,
                    std::vector<Tensor>* outputs);

}  // namespace qforge::kernels
