// Constant folding: evaluates, once at import, every node whose inputs are
// all constants (and Shape of a statically shaped value), so shape
// subgraphs exporters emit (Shape -> Gather -> Concat -> Reshape) become
// plain constants. Folded outputs keep their value names.
#pragma once

#include <cstddef>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// A folded output larger than this stays a node: folding would bloat the
// model (Expand/Tile/ConstantOfShape of large shapes are cheaper to compute).
inline constexpr size_t kMaxFoldedBytes = size_t{16} << 20;

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
