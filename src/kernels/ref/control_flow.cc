// If runs a whole subgraph, which the kernel layer cannot: the interpreter
// (runtime/control_flow.cc) runs it, and constant folding inlines an If
// whose condition is known (passes/fold_if.cc) instead of evaluating it.
#include "kernels/kernel.h"

namespace qforge::kernels::ref::control_flow {

Status Run(KernelContext& ctx) {
  return Unsupported(ctx.graph->Describe(*ctx.node) + ": runs only in the interpreter");
}

}  // namespace qforge::kernels::ref::control_flow
