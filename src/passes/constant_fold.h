// Constant folding: evaluates, once at import, every node whose inputs are
// all constants (and Shape of a statically shaped value), so shape
// subgraphs exporters emit (Shape -> Gather -> Concat -> Reshape) become
// plain constants. Folded outputs keep their value names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// A folded output larger than this stays a node: folding would bloat the
// model (Expand/Tile/ConstantOfShape of large shapes are cheaper to compute).
inline constexpr size_t kMaxFoldedBytes = size_t{16} << 20;

// Work limits, in multiply-adds or elements touched (FoldWork): a node
// costing more is not folded but left for the runtime, and once a graph's
// folding has spent the total, no further node is folded. A tiny file can
// ask for a Conv of two large ConstantOfShape outputs; loading must not
// compute it (about 0.1 s per node and 1 s per graph on the reference kernels).
inline constexpr uint64_t kMaxFoldWorkPerNode = uint64_t{1} << 26;
inline constexpr uint64_t kMaxFoldWorkPerGraph = uint64_t{1} << 30;

// The estimated work of evaluating `node` with inputs of `inputs` types
// (nullptr for absent ones) into outputs of `outputs` types, all static:
// every element read or written, plus the multiply-adds of convolutions,
// matrix products and windowed pools. Saturates at UINT64_MAX.
uint64_t FoldWork(const ir::Node& node, const std::vector<const ir::TensorType*>& inputs,
                  const std::vector<ir::TensorType>& outputs);

// The two limits above for one graph: load-time folding and the runtime's
// prepare-time evaluation both ask Admit before evaluating a node, so one
// rule decides what is computed ahead of a run.
class FoldWorkLimit {
 public:
  // True (and the work counted) when `work` fits the per-node limit and
  // what is left of the per-graph one.
  bool Admit(uint64_t work) {
    if (work > kMaxFoldWorkPerNode || work > kMaxFoldWorkPerGraph - spent_) return false;
    spent_ += work;
    return true;
  }

 private:
  uint64_t spent_ = 0;
};

// Folded outputs are counted against MemoryLimit() together with the
// graph's constants: past it, nodes stay for the runtime (whose budget then
// reports the model), so many outputs each under kMaxFoldedBytes cannot
// make loading allocate without bound.
// Nodes that cannot be evaluated now (unsupported, or failing on their
// data) are left in place for shape inference or the runtime to report.
// Quantize/DequantizeLinear are never folded: quantization passes read the
// QDQ pattern around constant weights. Call Graph::Compact() afterwards.
Status FoldConstants(ir::Graph& graph);

// The same, leaving Cast nodes of float16 constants in place: they are the
// float16 quantization form (weights stored half, widened at load) that the
// TFLite writer emits as DEQUANTIZE.
Status FoldConstantsKeepingFloat16Weights(ir::Graph& graph);

}  // namespace qforge::passes
