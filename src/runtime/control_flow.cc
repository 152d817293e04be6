// The interpreter's If: the condition chooses a branch, which runs in a
// nested interpreter made at first use and kept (so its plan and packed
// weights are reused by the next run taking that branch). The branch's
// inputs are the If's captured values (inputs 1..); its outputs become the
// If's, allocated by the branch, so their shapes may differ per branch.
//
// The nested interpreter takes the outer one's options: with the optimized
// runtime the branch goes through the same runtime passes
// (OptimizeForRuntime) and kernel choice as a top-level graph, so a
// data-dependent If costs one extra Run call, not a slower kernel path.
#include <string>

#include "runtime/interpreter.h"
#include "runtime/optimize.h"

namespace qforge::runtime {

Status Interpreter::RunIf(size_t index) {
  const ir::Graph& g = *graph_;
  const ir::Node& node = g.nodes[index];
  kernels::KernelContext& ctx = contexts_[index];
  const Tensor& cond = ctx.in(0);
  if (cond.num_elements() != 1) {
    return ctx.Error("cond has " + std::to_string(cond.num_elements()) + " elements, expected 1");
  }
  const size_t b = cond.data<uint8_t>()[0] != 0 ? 0 : 1;
  const char* name = b == 0 ? "then_branch" : "else_branch";
  if (branches_.size() != g.nodes.size()) branches_.resize(g.nodes.size());
  std::unique_ptr<Interpreter>& branch = branches_[index][b];
  if (!branch) {
    auto copy = std::make_shared<ir::Graph>(*node.attrs.GetGraph(name));
    // The captured values' shapes are known only now, and may change
    // between runs: the branch is prepared for what it receives.
    for (size_t i = 0; i < copy->inputs.size(); ++i) {
      ir::TensorType& t = copy->value(copy->inputs[i]).type;
      t = ir::TensorType{};
      t.dtype = ctx.in(i + 1).dtype();
      t.quant = ctx.in(i + 1).quant();
    }
    InterpreterOptions o = options_;
    o.profile = false;
    std::shared_ptr<const ir::Graph> graph = std::move(copy);
    if (options_.optimized) {
      Result<std::shared_ptr<const ir::Graph>> optimized = OptimizeForRuntime(*graph);
      if (!optimized.ok()) return optimized.status().WithContext(g.Describe(node) + ": " + name + ": ");
      graph = std::move(optimized).value();
      o.release_packed_weights = true;  // the optimized copy is the branch interpreter's own
    }
    branch = std::make_unique<Interpreter>(std::move(graph), o);
    // Calibration records the branch's values too (named as in the branch).
    if (observer_) branch->set_observer(observer_, observe_folded_);
  }
  std::vector<Tensor> inputs;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) inputs.push_back(ctx.in(i));
  Result<std::vector<Tensor>> outs = branch->Run(inputs);
  if (!outs.ok()) return outs.status().WithContext(g.Describe(node) + ": " + name + ": ");
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    const ir::ValueId out = node.outputs[o];
    if (out == ir::kNoValue) continue;
    Tensor& t = (*outs)[o];
    const DataType want = types_[static_cast<size_t>(out)].dtype;
    if (want != DataType::kUndefined && t.dtype() != want) {
      return ctx.Error(std::string(name) + " output " + std::to_string(o) + " is " + DataTypeName(t.dtype()) +
                       ", expected " + DataTypeName(want));
    }
    QF_RETURN_IF_ERROR(run_budget_.Charge(t.byte_size(), g.Describe(node) + ": output " + std::to_string(o)));
    tensors_[static_cast<size_t>(out)] = std::move(t);
  }
  return Status::Ok();
}

}  // namespace qforge::runtime
