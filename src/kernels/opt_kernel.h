// Optimized kernels: the second tier behind the op registry.
//
// The reference kernels (kernels/ref) are the oracle and run every op. At
// prepare time the interpreter offers each node to the optimized kernel list
// (KernelList, in preference order); the first factory that supports the
// node, its specialized types and its constant inputs returns a prepared
// kernel (weights packed once, CPU features checked, parameters
// precomputed). A node no factory takes runs its reference kernel.
//
// Every entry of the list is cross-tested against the reference kernel
// (tests/unit/opt_kernels_test.cc) on randomized shapes.
#pragma once

#include <pthreadpool.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "kernels/kernel.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::kernels::opt {

// What a factory may look at: the node, its input/output types specialized
// to the prepared input dims, and the constant inputs (weights).
struct NodeInfo {
  const ir::Graph* graph = nullptr;
  const ir::Node* node = nullptr;
  std::vector<const ir::TensorType*> in_types;  // nullptr for omitted inputs
  std::vector<const Tensor*> constants;         // per input: the data when known at prepare, else nullptr
  std::vector<const ir::TensorType*> out_types;
  int threads = 1;  // of the session's pool (kernels size per-thread scratch by it)

  size_t num_inputs() const { return in_types.size(); }
  bool has_in(size_t i) const { return i < in_types.size() && in_types[i] != nullptr; }
  const ir::TensorType& in(size_t i) const { return *in_types[i]; }
  const ir::TensorType& out(size_t i) const { return *out_types[i]; }
  const Tensor* constant(size_t i) const { return i < constants.size() ? constants[i] : nullptr; }
};

// What a prepared kernel gets at run time besides its tensors.
struct RunResources {
  pthreadpool_t pool = nullptr;  // nullptr: run on the calling thread
  void* workspace = nullptr;     // workspace_bytes() bytes, 64-byte aligned, shared by all kernels
};

class PreparedKernel {
 public:
  virtual ~PreparedKernel() = default;
  // The kernel's signature name (STYLE.md): op, types, requantization, ISA.
  virtual std::string name() const = 0;
  virtual size_t workspace_bytes() const { return 0; }
  // True when the kernel holds its own packed copy of its constant inputs
  // (weights, bias) and never reads the originals after creation: the
  // runtime may then release them.
  virtual bool owns_weights() const { return false; }
  // Re-plans for new input dims (another batch size, say) without reading
  // the constant inputs, which may have been released; false when it cannot
  // (the runtime then creates the kernel anew, or fails if it released the
  // weights).
  virtual bool Reshape(const NodeInfo& /*info*/) { return false; }
  // ctx holds tensors of the dims and types given to the factory; the
  // output is preallocated. The fused activation is the kernel's job.
  virtual Status Run(KernelContext& ctx, const RunResources& res) = 0;
};

// A factory returns nullptr (and OK) when it does not support the node; an
// error only for a broken node the reference kernel would reject too.
using Factory = Result<std::unique_ptr<PreparedKernel>> (*)(const NodeInfo&);

// Whether an entry's kernel runs `node` channels-last: the node-level part
// of its factory's check (op, data types, group), asked of a node of
// `graph` in its IR layout (NCHW) before the runtime's layout pass. The
// pass gives qf_layout = NHWC exactly to the nodes some entry's rule
// accepts (WantsNhwc), and the entry's factory takes only such nodes. The
// factory may still decline one at prepare (weights not constant, a window
// XNNPACK rejects); it then runs the reference kernel, channels-last.
using NhwcRule = bool (*)(const ir::Graph& graph, const ir::Node& node);

struct KernelEntry {
  const char* family;  // e.g. "xnnpack.conv2d"
  Factory create;
  NhwcRule runs_nhwc = nullptr;  // nullptr: runs nodes in their IR layout
};

// The one list, in preference order.
std::span<const KernelEntry> KernelList();

// The first kernel of the list that takes the node, or nullptr. A non-empty
// `only_family` restricts the choice to that entry (tests).
Result<std::unique_ptr<PreparedKernel>> ChooseKernel(const NodeInfo& info, std::string_view only_family = {});

// True when some entry's NhwcRule accepts the node: the runtime's layout
// pass (passes/layout_nhwc.h) converts exactly these nodes.
bool WantsNhwc(const ir::Graph& graph, const ir::Node& node);

// The input X of `node` when it is what every channels-last kernel reads
// (rank 4, float32 or int8), else nullptr: the start of each NhwcRule.
const ir::TensorType* NhwcInput(const ir::Graph& graph, const ir::Node& node);
// The dtype of input `i` (a weight), kUndefined when the node has none.
DataType InputDtype(const ir::Graph& graph, const ir::Node& node, size_t i);

}  // namespace qforge::kernels::opt
