// Shared test helpers: building one-node graphs, running them, comparing.
#pragma once

#include <string>
#include <vector>

#include "core/int_element.h"  // IntElement: an integer element, exact
#include "ir/graph.h"
#include "qforge/limits.h"
#include "qforge/tensor.h"

namespace qforge::testing {

// Path of a file in the source tree.
std::string SourcePath(const std::string& rel);

// The arrays <dir>/<name>.<kind>_0.npy, _1.npy, ... up to the first missing
// one (a model's inputs or reference outputs saved by a generator script).
std::vector<Tensor> ReadNumberedNpy(const std::string& dir, const std::string& name, const std::string& kind);
// The whole file as bytes (empty when it cannot be read).
std::string ReadBytes(const std::string& path);

// A tensor filled from `values` (converted to dtype).
Tensor MakeTensor(DataType dtype, std::vector<int64_t> dims, const std::vector<double>& values);

// Adds to `g` the values of a node `op` (named "op") with inputs "in<i>"
// (ir::kNoValue where !present[i]) and outputs "out<i>", and returns it.
ir::Node SingleNode(ir::Graph* g, OpKind op, const ir::Attributes& attrs, const std::vector<bool>& present,
                    int num_outputs);

// Runs one node (op + attrs) on `inputs` through shape inference and the
// reference kernel, without a model file. nullptr inputs are omitted
// optional inputs.
Result<std::vector<Tensor>> RunSingleOp(OpKind op, const ir::Attributes& attrs,
                                        const std::vector<const Tensor*>& inputs, int num_outputs = 1);

// Element `i` (row-major) of `t` as a double; float16 and bool are decoded,
// kUndefined reads as 0.
double At(const Tensor& t, int64_t i);

// Max |a - b| / max(1, |b|) over elements, as doubles; -1 if shapes/dtypes differ.
double MaxRelError(const Tensor& a, const Tensor& b);

// Lowers the process memory limit for a test, restoring it afterwards.
class MemoryLimitGuard {
 public:
  explicit MemoryLimitGuard(uint64_t bytes) : saved_(MemoryLimit()) { SetMemoryLimit(bytes); }
  ~MemoryLimitGuard() { SetMemoryLimit(saved_); }
  MemoryLimitGuard(const MemoryLimitGuard&) = delete;
  MemoryLimitGuard& operator=(const MemoryLimitGuard&) = delete;

 private:
  uint64_t saved_;
};

}  // namespace qforge::testing
