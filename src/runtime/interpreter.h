// The reference interpreter: runs an IR graph node by node with the
// reference kernels.
//
// Prepare() specializes the graph to concrete input shapes: it infers every
// shape, evaluates at prepare time every node whose inputs are all known
// (constants, and Shape of a static tensor, which covers the shape
// subgraphs exporters emit), and plans one arena for all statically shaped
// intermediate values, reusing memory between values whose lifetimes do not
// overlap. Values whose shape depends on run-time data are allocated when
// their producer runs and freed after their last use.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/memory_budget.h"
#include "ir/graph.h"
#include "kernels/kernel.h"
#include "kernels/opt_kernel.h"
#include "qforge/status.h"
#include "qforge/tensor.h"
#include "runtime/thread_pool.h"

namespace qforge::runtime {

struct InterpreterOptions {
  // Offer each node to the optimized kernel list (kernels/opt) at prepare;
  // false runs every node with its reference kernel.
  bool optimized = false;
  // Threads of the session's pool (<= 0: all available cores). Only
  // optimized kernels use it.
  int threads = 1;
  // Accumulate the wall time of every node over runs (NodeTimes()).
  bool profile = false;
  // The interpreter's graph is a private copy (the session's): constant
  // inputs that only weight-owning optimized kernels read are released once
  // packed, so weights are not held twice.
  bool release_packed_weights = false;
  // Tests: only this entry of the optimized list may be chosen.
  std::string only_kernel_family;
};

class Interpreter {
 public:
  explicit Interpreter(std::shared_ptr<const ir::Graph> graph, InterpreterOptions options = {});

  // Called after each executed node with its output tensors (calibration,
  // per-layer error). Not called for nodes folded at prepare time unless
  // `folded_too`: then, in graph order on every Run, with the values Prepare
  // computed. Calibration wants those: ConstantOfShape(Shape(x)) (the zero
  // initial state PyTorch exports for an RNN) is a constant only once the
  // batch is known, so it is an activation of the graph being quantized.
  // The graph is the node's: the interpreter's own, or an If branch's (the
  // nested interpreters of a data-dependent If report to the same observer).
  using Observer = std::function<void(const ir::Graph&, const ir::Node&, std::span<const Tensor* const>)>;
  void set_observer(Observer obs, bool folded_too = false) {
    observer_ = std::move(obs);
    observe_folded_ = folded_too;
  }

  // Plans for these input dims (graph input order). Run() calls it
  // whenever the input dims change.
  Status Prepare(const std::vector<std::vector<int64_t>>& input_dims);
  // Inputs in graph input order; returns outputs in graph output order.
  Result<std::vector<Tensor>> Run(std::span<const Tensor> inputs);

  size_t arena_bytes() const { return arena_bytes_; }
  // Shared scratch of the optimized kernels (0 for the reference runtime).
  size_t workspace_bytes() const { return workspace_bytes_; }
  int threads() const { return pool_ ? pool_->threads() : 1; }
  const ir::Graph& graph() const { return *graph_; }
  // Per node (graph order): the optimized kernel's name, or "" for the
  // reference kernel / a node folded at prepare. Valid after Prepare; for a
  // node shaped only at run time, the kernel of its last run.
  std::vector<std::string> KernelNames() const;
  // Per node: total milliseconds over the runs since Prepare (profile only).
  const std::vector<double>& NodeTimes() const { return node_ms_; }
  int runs_since_prepare() const { return runs_; }

 private:
  struct NodePlan {
    bool folded = false;                             // evaluated at prepare; outputs live in known_
    bool dynamic = false;                            // re-infer at run time
    kernels::opt::PreparedKernel* kernel = nullptr;  // optimized kernel (in kernels_), or null
  };
  Status CheckInputs(std::span<const Tensor> inputs) const;
  Status PlanArena();
  Status ChooseKernels();
  // Drops node n's constant inputs once every reader has packed them.
  void ReleasePackedWeights(const std::vector<int>& readers, std::vector<int>* packed_readers, size_t n);
  void BuildRunState();
  Status RunNode(size_t index);
  // An If node: runs the branch its condition chooses in a nested
  // interpreter (runtime/control_flow.cc).
  Status RunIf(size_t index);
  // A node whose dims are known only at run time (after an If, say): runs
  // it on an optimized kernel when one takes it, kept across runs and
  // re-planned on new dims (runtime/dynamic_kernels.cc); *ran is false
  // when none does, and the node runs its reference kernel.
  Status RunDynamicOptimized(size_t index, bool* ran);
  // Releases the tensors a Run filled in (inputs, outputs, run-time values).
  void DropRunTensors();

  std::shared_ptr<const ir::Graph> graph_;
  InterpreterOptions options_;
  std::unique_ptr<ThreadPool> pool_;
  Observer observer_;
  bool observe_folded_ = false;
  bool prepared_ = false;
  std::vector<std::vector<int64_t>> prepared_dims_;
  std::vector<ir::TensorType> types_;                 // per value, specialized to prepared_dims_
  std::vector<std::shared_ptr<const Tensor>> known_;  // per value: data known at prepare
  std::vector<NodePlan> plans_;
  std::vector<int64_t> arena_offset_;  // per value; -1 if not in the arena
  std::vector<int> last_use_;          // per value: last node index reading it
  std::shared_ptr<void> arena_;
  size_t arena_bytes_ = 0;
  std::shared_ptr<void> workspace_;
  size_t workspace_bytes_ = 0;
  // Built at prepare so that Run allocates no activation memory: a tensor
  // per value (arena views, constants) and a kernel context per node whose
  // pointers refer into tensors_.
  std::vector<Tensor> tensors_;
  std::vector<kernels::KernelContext> contexts_;
  std::vector<char> is_graph_output_;
  std::vector<char> is_graph_input_;
  pthreadpool_t run_pool_ = nullptr;
  std::vector<double> node_ms_;
  // Per node, kept across Prepare calls (re-planned with Reshape), so
  // weights are packed once.
  std::vector<std::unique_ptr<kernels::opt::PreparedKernel>> kernels_;
  std::vector<char> weights_released_;  // per node: its constant inputs were released
  // Per run-time-shaped node: its optimized kernel, the input dims it was
  // planned for (or declined at), and its own workspace.
  struct DynamicKernel {
    std::unique_ptr<kernels::opt::PreparedKernel> kernel;
    std::vector<std::vector<int64_t>> dims;
    bool declined = false;
    std::shared_ptr<void> workspace;
    size_t workspace_bytes = 0;
  };
  std::vector<DynamicKernel> dynamic_kernels_;
  // Per If node: the interpreters of its then/else branches, made at first use.
  std::vector<std::array<std::unique_ptr<Interpreter>, 2>> branches_;
  MemoryBudget budget_;      // what Prepare holds: constants, inputs, folded values, arena, workspace
  MemoryBudget run_budget_;  // during Run: budget_ plus the tensors allocated at run time
  int runs_ = 0;             // the pool of the Run in progress (ParallelGuard)
};

}  // namespace qforge::runtime
