#include "kernels/evaluate.h"

#include "kernels/kernel.h"
#include "ops/infer.h"

namespace qforge::kernels {

namespace {
ir::TensorType TypeOf(const Tensor& t) {
  ir::TensorType type;
  type.dtype = t.dtype();
  type.rank_known = true;
  type.dims = t.dims();
  type.quant = t.quant();
  return type;
}
}  // namespace

Status EvaluateNode(const ir::Graph& graph, const ir::Node& node, const std::vector<const Tensor*>& inputs,
                    std::vector<Tensor>* outputs, MemoryBudget* budget) {
  std::vector<ir::TensorType> in_types(inputs.size());
  ops::InferContext ictx;
  ictx.graph = &graph;
  ictx.node = &node;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] == nullptr) {
      ictx.inputs.push_back(nullptr);
      ictx.values.push_back(nullptr);
      continue;
    }
    in_types[i] = TypeOf(*inputs[i]);
    ictx.inputs.push_back(&in_types[i]);
    ictx.values.push_back(inputs[i]);
  }
  QF_RETURN_IF_ERROR(ops::InferNode(ictx));
  outputs->clear();
  KernelContext kctx;
  kctx.graph = &graph;
  kctx.node = &node;
  kctx.inputs = inputs;
  outputs->reserve(ictx.outputs.size());
  for (size_t i = 0; i < ictx.outputs.size(); ++i) {
    const ir::TensorType& t = ictx.outputs[i];
    if (node.outputs[i] == ir::kNoValue) {
      outputs->emplace_back();
      continue;
    }
    if (!t.IsStatic()) {
      return Internal(graph.Describe(node) + ": output " + std::to_string(i) +
                      " shape unknown even with all input data");
    }
    QF_ASSIGN_OR_RETURN(Tensor out, CreateCharged(t.dtype, t.dims, budget, [&] {
                          return graph.Describe(node) + ": output " + std::to_string(i);
                        }));
    out.set_quant(t.quant);
    outputs->push_back(std::move(out));
  }
  for (size_t i = 0; i < outputs->size(); ++i) {
    kctx.outputs.push_back(node.outputs[i] == ir::kNoValue ? nullptr : &(*outputs)[i]);
  }
  return ref::RunKernel(kctx);
}

}  // namespace qforge::kernels
