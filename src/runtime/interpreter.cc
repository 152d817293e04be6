#include "runtime/interpreter.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/check.h"
#include "core/size_math.h"
#include "kernels/evaluate.h"
#include "kernels/kernel.h"
#include "ops/infer.h"
#include "ops/shape_inputs.h"
#include "passes/constant_fold.h"
#include "runtime/memory_planner.h"

namespace qforge::runtime {

Interpreter::Interpreter(std::shared_ptr<const ir::Graph> graph, InterpreterOptions options)
    : graph_(std::move(graph)), options_(options) {
  if (options_.optimized) pool_ = std::make_unique<ThreadPool>(options_.threads);
}

std::vector<std::string> Interpreter::KernelNames() const {
  std::vector<std::string> names;
  for (const NodePlan& p : plans_) names.push_back(p.kernel ? p.kernel->name() : std::string());
  for (size_t n = 0; n < dynamic_kernels_.size() && n < names.size(); ++n)
    if (plans_[n].dynamic && dynamic_kernels_[n].kernel) names[n] = dynamic_kernels_[n].kernel->name();
  return names;
}

Status Interpreter::CheckInputs(std::span<const Tensor> inputs) const {
  const ir::Graph& g = *graph_;
  if (inputs.size() != g.inputs.size()) {
    return InvalidArgument("model takes " + std::to_string(g.inputs.size()) + " inputs, got " +
                           std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value& v = g.value(g.inputs[i]);
    if (inputs[i].dtype() != v.type.dtype) {
      return InvalidArgument("input '" + v.name + "': expected " + DataTypeName(v.type.dtype) + ", got " +
                             DataTypeName(inputs[i].dtype()));
    }
  }
  return Status::Ok();
}

Status Interpreter::Prepare(const std::vector<std::vector<int64_t>>& input_dims) {
  prepared_ = false;
  const ir::Graph& g = *graph_;
  if (input_dims.size() != g.inputs.size()) {
    return InvalidArgument("model takes " + std::to_string(g.inputs.size()) + " inputs, got " +
                           std::to_string(input_dims.size()));
  }
  types_.assign(g.values.size(), {});
  known_.assign(g.values.size(), nullptr);
  // Read now, so that a SetMemoryLimit between runs applies at the next Prepare.
  budget_ = MemoryBudget(MemoryLimit());
  for (size_t i = 0; i < g.values.size(); ++i) {
    types_[i] = g.values[i].type;
    known_[i] = g.values[i].constant;
    if (known_[i])
      QF_RETURN_IF_ERROR(budget_.Charge(known_[i]->byte_size(), "constant '" + g.values[i].name + "'"));
  }
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const ir::Value& v = g.value(g.inputs[i]);
    const auto& dims = input_dims[i];
    const auto& decl = v.type.dims;
    bool ok = !v.type.rank_known || decl.size() == dims.size();
    for (size_t d = 0; ok && d < dims.size(); ++d) {
      if (dims[d] < 0 || (v.type.rank_known && decl[d] >= 0 && decl[d] != dims[d])) ok = false;
    }
    if (!ok) {
      return InvalidArgument("input '" + v.name + "': expected shape " + v.type.ToString() + ", got " +
                             DimsToString(dims));
    }
    // The caller's input tensors are counted too: a declared shape can be
    // anything, and a caller may allocate what the model declares.
    QF_RETURN_IF_ERROR(budget_.ChargeTensor(v.type.dtype, dims, "input '" + v.name + "'").status());
    ir::TensorType& t = types_[static_cast<size_t>(g.inputs[i])];
    t.rank_known = true;
    t.dims = dims;
  }

  plans_.clear();
  plans_.resize(g.nodes.size());
  passes::FoldWorkLimit work_limit;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const ir::Node& node = g.nodes[n];
    ops::InferContext ctx;
    ctx.graph = &g;
    ctx.node = &node;
    bool all_known = true;
    for (ir::ValueId in : node.inputs) {
      if (in == ir::kNoValue) {
        ctx.inputs.push_back(nullptr);
        ctx.values.push_back(nullptr);
        continue;
      }
      ctx.inputs.push_back(&types_[static_cast<size_t>(in)]);
      ctx.values.push_back(known_[static_cast<size_t>(in)].get());
      if (!known_[static_cast<size_t>(in)]) all_known = false;
    }
    QF_RETURN_IF_ERROR(ops::InferNode(ctx));
    // Shape (or Size) of a statically shaped tensor needs no data. A node whose inputs
    // are known is evaluated now within the folding work limits (FoldWork);
    // past them it runs in Run like any other node, so a tiny file cannot
    // make Prepare (and `inspect`) compute for minutes.
    const bool shape_of_static = ops::ReadsOnlyInputDims(node.op) && ctx.inputs[0]->IsStatic();
    // An If runs its branch at run time (RunIf), never folded here.
    const bool foldable = node.op != OpKind::kIf && (all_known || shape_of_static);
    if (foldable && work_limit.Admit(passes::FoldWork(node, ctx.inputs, ctx.outputs))) {
      std::vector<Tensor> outs;
      Status s;
      if (shape_of_static && !all_known) {
        Tensor placeholder = Tensor::View(ctx.inputs[0]->dtype, ctx.inputs[0]->dims, nullptr);
        s = kernels::EvaluateNode(g, node, {&placeholder}, &outs, &budget_);
      } else {
        s = kernels::EvaluateNode(g, node, ctx.values, &outs, &budget_);
      }
      QF_RETURN_IF_ERROR(s);
      plans_[n].folded = true;
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        ir::ValueId out = node.outputs[o];
        if (out == ir::kNoValue) continue;
        types_[static_cast<size_t>(out)] = ops::MakeType(outs[o].dtype(), outs[o].dims());
        types_[static_cast<size_t>(out)].quant = outs[o].quant();
        known_[static_cast<size_t>(out)] = std::make_shared<const Tensor>(std::move(outs[o]));
      }
      continue;
    }
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      ir::ValueId out = node.outputs[o];
      if (out == ir::kNoValue) continue;
      ir::TensorType t = std::move(ctx.outputs[o]);
      t.layout = g.value(out).type.layout;
      if (!t.IsStatic() || node.op == OpKind::kIf) plans_[n].dynamic = true;
      types_[static_cast<size_t>(out)] = std::move(t);
    }
  }

  last_use_.assign(g.values.size(), -1);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (plans_[n].folded) continue;
    for (ir::ValueId in : g.nodes[n].inputs) {
      if (in != ir::kNoValue) last_use_[static_cast<size_t>(in)] = static_cast<int>(n);
    }
  }
  for (ir::ValueId out : g.outputs) last_use_[static_cast<size_t>(out)] = static_cast<int>(g.nodes.size());
  QF_RETURN_IF_ERROR(PlanArena());
  QF_RETURN_IF_ERROR(ChooseKernels());
  BuildRunState();
  node_ms_.assign(g.nodes.size(), 0.0);
  runs_ = 0;
  prepared_dims_ = input_dims;
  prepared_ = true;
  return Status::Ok();
}

Status Interpreter::PlanArena() {
  const ir::Graph& g = *graph_;
  std::vector<char> is_output(g.values.size(), 0);
  for (ir::ValueId out : g.outputs) is_output[static_cast<size_t>(out)] = 1;
  std::vector<BufferRequest> requests;
  std::vector<ir::ValueId> ids;
  uint64_t output_bytes = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (plans_[n].folded) continue;
    const ir::Node& node = g.nodes[n];
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const ir::ValueId out = node.outputs[o];
      if (out == ir::kNoValue) continue;
      const ir::TensorType& t = types_[static_cast<size_t>(out)];
      if (!t.IsStatic()) continue;  // allocated at run time
      // Graph outputs too: allocated (and charged) at run time, but an
      // impossible size fails now.
      QF_ASSIGN_OR_RETURN(
          const uint64_t bytes,
          CheckedTensorBytes(t.dtype, t.dims, g.Describe(node) + ": output " + std::to_string(o),
                             budget_.limit()));
      if (is_output[static_cast<size_t>(out)]) {
        if (!CheckedAdd(output_bytes, bytes, &output_bytes)) output_bytes = UINT64_MAX;
        continue;
      }
      int last = last_use_[static_cast<size_t>(out)];
      requests.push_back(
          {static_cast<size_t>(bytes), static_cast<int>(n), last < 0 ? static_cast<int>(n) : last});
      ids.push_back(out);
    }
  }
  MemoryPlan plan = PlanMemory(requests);
  arena_offset_.assign(g.values.size(), -1);
  for (size_t i = 0; i < ids.size(); ++i) arena_offset_[static_cast<size_t>(ids[i])] = plan.offsets[i];
  arena_bytes_ = plan.total_bytes;
  QF_RETURN_IF_ERROR(budget_.Charge(arena_bytes_, "the activation arena"));
  // Run allocates the static graph outputs on top of this and keeps them to
  // its end: outputs that cannot fit fail now (inspect reports it) rather
  // than after a run has computed everything before them.
  if (!MemoryBudget(budget_).TryCharge(output_bytes))
    return budget_.OverLimit(output_bytes, "the graph outputs");
  void* p = std::aligned_alloc(kArenaAlignment, std::max<size_t>(arena_bytes_, kArenaAlignment));
  if (p == nullptr)
    return ResourceExhausted("cannot allocate an arena of " + std::to_string(arena_bytes_) + " bytes");
  arena_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  return Status::Ok();
}

Status Interpreter::ChooseKernels() {
  workspace_bytes_ = 0;
  workspace_.reset();
  if (!options_.optimized) return Status::Ok();
  const ir::Graph& g = *graph_;
  kernels_.resize(g.nodes.size());
  weights_released_.resize(g.nodes.size(), 0);
  std::vector<int> readers(g.values.size(), 0), packed_readers(g.values.size(), 0);
  for (const ir::Node& node : g.nodes)
    for (ir::ValueId in : node.inputs)
      if (in != ir::kNoValue) ++readers[static_cast<size_t>(in)];
  for (ir::ValueId out : g.outputs) ++readers[static_cast<size_t>(out)];
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (plans_[n].folded || plans_[n].dynamic) continue;
    const ir::Node& node = g.nodes[n];
    kernels::opt::NodeInfo info;
    info.graph = &g;
    info.node = &node;
    info.threads = threads();
    for (ir::ValueId in : node.inputs) {
      info.in_types.push_back(in == ir::kNoValue ? nullptr : &types_[static_cast<size_t>(in)]);
      info.constants.push_back(in == ir::kNoValue ? nullptr : known_[static_cast<size_t>(in)].get());
    }
    for (ir::ValueId out : node.outputs)
      info.out_types.push_back(out == ir::kNoValue ? nullptr : &types_[static_cast<size_t>(out)]);
    std::unique_ptr<kernels::opt::PreparedKernel>& kept = kernels_[n];
    if (kept && !kept->Reshape(info)) kept.reset();
    if (!kept) {
      if (weights_released_[n]) {
        return Unsupported(g.Describe(node) + ": cannot re-plan for input dims " +
                           DimsToString(info.in(0).dims) +
                           " after its packed weights replaced the originals; create a new session");
      }
      auto kernel = kernels::opt::ChooseKernel(info, options_.only_kernel_family);
      if (!kernel.ok()) return kernel.status();
      kept = std::move(*kernel);
    }
    plans_[n].kernel = kept.get();
    if (kept) workspace_bytes_ = std::max(workspace_bytes_, kept->workspace_bytes());
    if (options_.release_packed_weights) ReleasePackedWeights(readers, &packed_readers, n);
  }
  if (workspace_bytes_ > 0) {
    const size_t bytes = (workspace_bytes_ + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    QF_RETURN_IF_ERROR(budget_.Charge(bytes, "the kernel workspace"));
    void* p = std::aligned_alloc(kArenaAlignment, bytes);
    if (p == nullptr)
      return ResourceExhausted("cannot allocate a kernel workspace of " + std::to_string(bytes) + " bytes");
    workspace_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  }
  return Status::Ok();
}

void Interpreter::ReleasePackedWeights(const std::vector<int>& readers, std::vector<int>* packed_readers,
                                       size_t n) {
  // The session's private copy of the graph (InterpreterOptions): created
  // non-const by the session, so dropping its constants here is sound.
  ir::Graph& g = const_cast<ir::Graph&>(*graph_);
  const ir::Node& node = g.nodes[n];
  if (plans_[n].kernel == nullptr || !plans_[n].kernel->owns_weights()) return;
  bool released = false;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    const ir::ValueId id = node.inputs[i];
    if (id == ir::kNoValue) continue;
    const size_t v = static_cast<size_t>(id);
    // Released once every reader holds a packed copy (readers counts graph
    // outputs and folded nodes too, which keep it).
    if (!g.values[v].constant || ++(*packed_readers)[v] != readers[v]) continue;
    g.values[v].constant.reset();
    known_[v].reset();
    released = true;
    for (size_t m = 0; m < g.nodes.size(); ++m) {
      const auto& ins = g.nodes[m].inputs;
      if (std::find(ins.begin() + 1, ins.end(), id) != ins.end()) weights_released_[m] = 1;
    }
  }
  // Give the freed pages back to the system now, so packing the next layer
  // reuses them instead of raising the peak.
  if (released) malloc_trim(0);
}

void Interpreter::BuildRunState() {
  const ir::Graph& g = *graph_;
  tensors_.assign(g.values.size(), Tensor());
  is_graph_output_.assign(g.values.size(), 0);
  is_graph_input_.assign(g.values.size(), 0);
  for (ir::ValueId out : g.outputs) is_graph_output_[static_cast<size_t>(out)] = 1;
  for (ir::ValueId in : g.inputs) is_graph_input_[static_cast<size_t>(in)] = 1;
  for (size_t i = 0; i < g.values.size(); ++i) {
    if (known_[i]) {
      tensors_[i] =
          Tensor::View(known_[i]->dtype(), known_[i]->dims(), const_cast<void*>(known_[i]->raw_data()),
                       std::const_pointer_cast<Tensor>(known_[i]));
      tensors_[i].set_quant(known_[i]->quant());
    } else if (arena_offset_[i] >= 0) {
      const ir::TensorType& t = types_[i];
      tensors_[i] =
          Tensor::View(t.dtype, t.dims, static_cast<char*>(arena_.get()) + arena_offset_[i], arena_);
      tensors_[i].set_quant(t.quant);
    }
  }
  contexts_.assign(g.nodes.size(), kernels::KernelContext());
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (plans_[n].folded) continue;
    kernels::KernelContext& ctx = contexts_[n];
    ctx.graph = &g;
    ctx.node = &g.nodes[n];
    for (ir::ValueId in : g.nodes[n].inputs)
      ctx.inputs.push_back(in == ir::kNoValue ? nullptr : &tensors_[static_cast<size_t>(in)]);
    for (ir::ValueId out : g.nodes[n].outputs)
      ctx.outputs.push_back(out == ir::kNoValue ? nullptr : &tensors_[static_cast<size_t>(out)]);
  }
}

Status Interpreter::RunNode(size_t index) {
  const ir::Graph& g = *graph_;
  const ir::Node& node = g.nodes[index];
  kernels::KernelContext& ctx = contexts_[index];

  if (node.op == OpKind::kIf) {
    QF_RETURN_IF_ERROR(RunIf(index));
  } else if (plans_[index].dynamic) {
    bool ran = false;
    if (options_.optimized) QF_RETURN_IF_ERROR(RunDynamicOptimized(index, &ran));
    std::vector<Tensor> outs;
    if (!ran) QF_RETURN_IF_ERROR(kernels::EvaluateNode(g, node, ctx.inputs, &outs, &run_budget_));
    for (size_t o = 0; !ran && o < node.outputs.size(); ++o) {
      if (node.outputs[o] != ir::kNoValue)
        tensors_[static_cast<size_t>(node.outputs[o])] = std::move(outs[o]);
    }
  } else {
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const ir::ValueId out = node.outputs[o];
      if (out == ir::kNoValue || arena_offset_[static_cast<size_t>(out)] >= 0) continue;
      // Not in the arena: a graph output (owned by the caller after Run) or a
      // value whose shape is only known at run time.
      const ir::TensorType& t = types_[static_cast<size_t>(out)];
      Tensor& dst = tensors_[static_cast<size_t>(out)];
      QF_ASSIGN_OR_RETURN(dst, CreateCharged(t.dtype, t.dims, &run_budget_, [&] {
                            return g.Describe(node) + ": output " + std::to_string(o);
                          }));
      dst.set_quant(t.quant);
    }
    if (plans_[index].kernel) {
      kernels::opt::RunResources res;
      res.pool = run_pool_;
      res.workspace = workspace_.get();
      QF_RETURN_IF_ERROR(plans_[index].kernel->Run(ctx, res));
    } else {
      QF_RETURN_IF_ERROR(kernels::ref::RunKernel(ctx));
    }
  }
  if (observer_) {
    std::vector<const Tensor*> outs;
    for (ir::ValueId out : node.outputs)
      outs.push_back(out == ir::kNoValue ? nullptr : &tensors_[static_cast<size_t>(out)]);
    observer_(g, node, outs);
  }
  // Free run-time allocated values after their last reader.
  for (ir::ValueId in : node.inputs) {
    if (in == ir::kNoValue) continue;
    const size_t i = static_cast<size_t>(in);
    if (last_use_[i] == static_cast<int>(index) && arena_offset_[i] < 0 && !known_[i] &&
        !is_graph_output_[i] && !is_graph_input_[i]) {
      run_budget_.Release(tensors_[i].byte_size());
      tensors_[i] = Tensor();
    }
  }
  return Status::Ok();
}

Result<std::vector<Tensor>> Interpreter::Run(std::span<const Tensor> inputs) {
  QF_RETURN_IF_ERROR(CheckInputs(inputs));
  bool same_dims = prepared_ && inputs.size() == prepared_dims_.size();
  for (size_t i = 0; same_dims && i < inputs.size(); ++i) same_dims = inputs[i].dims() == prepared_dims_[i];
  if (!same_dims) {
    std::vector<std::vector<int64_t>> dims;
    for (const Tensor& t : inputs) dims.push_back(t.dims());
    QF_RETURN_IF_ERROR(Prepare(dims));
  }

  const ir::Graph& g = *graph_;
  // Run-time tensors are charged on top of what Prepare holds, and given
  // back with this copy when the run ends.
  run_budget_ = budget_;
  for (size_t i = 0; i < inputs.size(); ++i) {
    // A quantized input means what the model says, whatever the caller's tensor carries.
    Tensor& t = tensors_[static_cast<size_t>(g.inputs[i])];
    t = inputs[i];
    t.set_quant(types_[static_cast<size_t>(g.inputs[i])].quant);
  }
  ParallelGuard guard(pool_.get());
  run_pool_ = guard.pool();
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (plans_[n].folded) {
      if (observer_ && observe_folded_) {
        std::vector<const Tensor*> outs;
        for (ir::ValueId out : g.nodes[n].outputs)
          outs.push_back(out == ir::kNoValue ? nullptr : known_[static_cast<size_t>(out)].get());
        observer_(g, g.nodes[n], outs);
      }
      continue;
    }
    const auto start =
        options_.profile ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    Status s = RunNode(n);
    if (options_.profile)
      node_ms_[n] +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!s.ok()) {
      DropRunTensors();
      return s;
    }
  }
  ++runs_;
  std::vector<Tensor> outputs;
  for (ir::ValueId out : g.outputs) {
    const size_t i = static_cast<size_t>(out);
    Tensor& t = tensors_[i];
    // Outputs that alias a constant, an input or the arena are copied so the
    // caller owns them.
    const bool owned = arena_offset_[i] < 0 && !known_[i] && !is_graph_input_[i];
    outputs.push_back(owned ? t : t.Clone());
  }
  DropRunTensors();
  return outputs;
}

void Interpreter::DropRunTensors() {
  // Do not keep the caller's inputs, the outputs or (after an error) any
  // run-time tensor alive past Run.
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (is_graph_input_[i] || (arena_offset_[i] < 0 && !known_[i])) tensors_[i] = Tensor();
  }
}

}  // namespace qforge::runtime
