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

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::runtime {

class Interpreter {
 public:
  explicit Interpreter(std::shared_ptr<const ir::Graph> graph);

  // Called after each executed node with its output tensors (calibration,
  // per-layer error). Not called for nodes folded at prepare time.
  using Observer = std::function<void(const ir::Node&, std::span<Tensor* const>)>;
  void set_observer(Observer obs) { observer_ = std::move(obs); }

  // Plans for these input dims (graph input order). Run() calls it
  // whenever the input dims change.
  Status Prepare(const std::vector<std::vector<int64_t>>& input_dims);
  // Inputs in graph input order; returns outputs in graph output order.
  Result<std::vector<Tensor>> Run(std::span<const Tensor> inputs);

  size_t arena_bytes() const { return arena_bytes_; }
  const ir::Graph& graph() const { return *graph_; }

 private:
  struct NodePlan {
    bool folded = false;   // evaluated at prepare; outputs live in known_
    bool dynamic = false;  // re-infer at run time
  };
  Status CheckInputs(std::span<const Tensor> inputs) const;
  Status PlanArena();
  Status RunNode(size_t index, std::vector<Tensor>& tensors, const std::vector<int>& last_use);

  std::shared_ptr<const ir::Graph> graph_;
  Observer observer_;
  bool prepared_ = false;
  std::vector<std::vector<int64_t>> prepared_dims_;
  std::vector<ir::TensorType> types_;                 // per value, specialized to prepared_dims_
  std::vector<std::shared_ptr<const Tensor>> known_;  // per value: data known at prepare
  std::vector<NodePlan> plans_;
  std::vector<int64_t> arena_offset_;  // per value; -1 if not in the arena
  std::vector<int> last_use_;          // per value: last node index reading it
  std::shared_ptr<void> arena_;
  size_t arena_bytes_ = 0;
};

}  // namespace qforge::runtime
