#include "runtime/optimize.h"

#include "passes/pipelines.h"

namespace qforge::runtime {

Result<std::shared_ptr<const ir::Graph>> OptimizeForRuntime(const ir::Graph& graph) {
  auto g = std::make_shared<ir::Graph>(graph);
  QF_RETURN_IF_ERROR(passes::BeforeRuntimePlan(g.get()));
  return std::shared_ptr<const ir::Graph>(std::move(g));
}

}  // namespace qforge::runtime
