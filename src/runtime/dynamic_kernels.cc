// Optimized kernels for nodes whose dims are known only at run time. A node
// downstream of a nested If (Silero VAD's branches check shapes with Ifs)
// cannot be planned at prepare; it still runs the kernel list's choice,
// made at its first run from the run-time dims and the prepare-time
// constants (weights packed then), and re-planned with Reshape when its
// input dims change. Output types come from shape inference on the run-time
// inputs, as EvaluateNode (the reference path) infers them.
#include <cstdlib>

#include "ops/infer.h"
#include "runtime/interpreter.h"
#include "runtime/memory_planner.h"

namespace qforge::runtime {

Status Interpreter::RunDynamicOptimized(size_t index, bool* ran) {
  *ran = false;
  const ir::Graph& g = *graph_;
  const ir::Node& node = g.nodes[index];
  kernels::KernelContext& ctx = contexts_[index];
  if (dynamic_kernels_.size() != g.nodes.size()) dynamic_kernels_.resize(g.nodes.size());
  DynamicKernel& dk = dynamic_kernels_[index];
  std::vector<std::vector<int64_t>> dims;
  for (const Tensor* t : ctx.inputs) dims.push_back(t != nullptr ? t->dims() : std::vector<int64_t>{});
  const bool same_dims = !dk.dims.empty() && dims == dk.dims;
  if (same_dims && dk.declined) return Status::Ok();

  std::vector<ir::TensorType> in_types(ctx.inputs.size());
  ops::InferContext infer;
  infer.graph = &g;
  infer.node = &node;
  kernels::opt::NodeInfo info;
  info.graph = &g;
  info.node = &node;
  info.threads = threads();
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const Tensor* t = ctx.inputs[i];
    if (t != nullptr) {
      in_types[i] = ops::MakeType(t->dtype(), t->dims());
      in_types[i].quant = t->quant();
    }
    infer.inputs.push_back(t != nullptr ? &in_types[i] : nullptr);
    infer.values.push_back(t);
    info.in_types.push_back(infer.inputs.back());
    // Only prepare-time constants count as weights: a kernel keeps them packed.
    info.constants.push_back(t != nullptr ? known_[static_cast<size_t>(node.inputs[i])].get() : nullptr);
  }
  infer.outputs.resize(node.outputs.size());
  // An inference error is the reference path's to report.
  if (!ops::InferNode(infer).ok()) return Status::Ok();
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (node.outputs[o] == ir::kNoValue) {
      info.out_types.push_back(nullptr);
      continue;
    }
    if (!infer.outputs[o].IsStatic()) return Status::Ok();
    info.out_types.push_back(&infer.outputs[o]);
  }

  if (!same_dims) {
    if (dk.kernel && !dk.kernel->Reshape(info)) dk.kernel.reset();
    if (!dk.kernel) {
      auto kernel = kernels::opt::ChooseKernel(info, options_.only_kernel_family);
      if (!kernel.ok()) return kernel.status();
      dk.kernel = std::move(kernel).value();
    }
    dk.dims = dims;
    dk.declined = dk.kernel == nullptr;
    if (dk.declined) return Status::Ok();
    const size_t bytes = dk.kernel->workspace_bytes();
    if (bytes > dk.workspace_bytes) {
      const size_t rounded = (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
      QF_RETURN_IF_ERROR(
          budget_.Charge(rounded - dk.workspace_bytes, g.Describe(node) + ": kernel workspace"));
      void* p = std::aligned_alloc(kArenaAlignment, rounded);
      if (p == nullptr) return ResourceExhausted(g.Describe(node) + ": cannot allocate a kernel workspace");
      dk.workspace = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
      dk.workspace_bytes = rounded;
    }
  }
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    const ir::ValueId out = node.outputs[o];
    if (out == ir::kNoValue) continue;
    const ir::TensorType& t = infer.outputs[o];
    Tensor& dst = tensors_[static_cast<size_t>(out)];
    QF_ASSIGN_OR_RETURN(dst, CreateCharged(t.dtype, t.dims, &run_budget_, [&] {
                          return g.Describe(node) + ": output " + std::to_string(o);
                        }));
    dst.set_quant(t.quant);
  }
  kernels::opt::RunResources res;
  res.pool = run_pool_;
  res.workspace = dk.workspace.get();
  QF_RETURN_IF_ERROR(dk.kernel->Run(ctx, res));
  *ran = true;
  return Status::Ok();
}

}  // namespace qforge::runtime
