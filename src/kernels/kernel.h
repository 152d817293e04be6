// The kernel interface. A kernel reads its inputs and writes its
// preallocated outputs (shapes already inferred); it runs without
// re-validating what Infer checked. It returns a Status only for errors that
// depend on input data (an index out of range, say).
#pragma once

#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::kernels {

struct KernelContext {
  const ir::Graph* graph = nullptr;
  const ir::Node* node = nullptr;
  std::vector<const Tensor*> inputs;  // nullptr for omitted optional inputs
  std::vector<Tensor*> outputs;       // allocated with inferred dims/dtype; nullptr for omitted outputs

  const ir::Attributes& attrs() const { return node->attrs; }
  const Tensor& in(size_t i) const { return *inputs[i]; }
  bool has_in(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  Tensor& out(size_t i) { return *outputs[i]; }
  Status Error(const std::string& msg) const { return InvalidArgument(graph->Describe(*node) + ": " + msg); }
};

using KernelFn = Status (*)(KernelContext&);

namespace ref {
// The reference kernel of each family, generated from ops.def.
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) \
  namespace family {                                                     \
  Status Run(KernelContext& ctx);                                        \
  }
#include "ir/ops.def"
#undef QF_OP

KernelFn GetKernel(OpKind op);
// Runs the node's reference kernel, then its fused activation on a float
// output (see qscheme/fused_activation.h). Every caller goes through this.
Status RunKernel(KernelContext& ctx);
}  // namespace ref

}  // namespace qforge::kernels
