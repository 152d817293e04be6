// Runtime pass: removes quantization round trips between integer ops
// (docs/design/runtime_passes.md). Applied by the runtime to its own copy of
// a quantized graph; never written to files.
//
// Rewrites (activations per tensor only; constants are left to FoldQdq):
// - DequantizeLinear(x; S1, Z1) -> QuantizeLinear(S2, Z2): with the same
//   (S, Z) and dtype the pair is the identity and the Q's readers read x
//   (exact; kept when the Q writes a graph output, whose name must stay);
//   otherwise the Q becomes one Requantize of x (exact under the graph's
//   kFloat rule, which defines Requantize as DQ -> Q; within one step under
//   kFixedPoint, where ties round away from zero instead of to even).
// - Requantize to the input's own dtype and (S, Z): removed (exact).
// - Requantize -> Requantize: the second reads the first's input, when one
//   rounding gives the same result within one step of the final scale (see
//   OneRequantizationSuffices); the first stays while others read it.
// QuantizeLinear -> DequantizeLinear of a float value is left alone: it
// rounds to the quantization grid, which is the point of it.
#pragma once

#include <optional>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

struct EliminateQdqReport {
  int pairs_removed = 0;        // DQ -> Q with equal parameters
  int pairs_requantized = 0;    // DQ -> Q turned into one Requantize
  int identities_removed = 0;   // Requantize to the parameters it already has
  int chains_merged = 0;        // Requantize -> Requantize read through
  int dequantizes_removed = 0;  // DequantizeLinear left without readers
  int total() const { return pairs_removed + pairs_requantized + identities_removed + chains_merged; }
};

// Leaves a compacted, verified graph; `report` (optional) gets the counts.
Status EliminateQdqPairs(ir::Graph* graph, EliminateQdqReport* report = nullptr);

// The real values a per-tensor quantized 8/16-bit type can hold,
// [S (qmin - Z), S (qmax - Z)]; nullopt for other types.
struct RealRange {
  double lo = 0.0;
  double hi = 0.0;
};
std::optional<RealRange> RepresentableRange(const ir::TensorType& t);

// Whether rounding values from `produced` to the per-tensor type `mid` and
// then to `out` equals one rounding to `out` within one step of `out`:
// - `mid` never saturates: `produced` fits what `mid` holds, up to half a
//   step of `mid` (such values round into it anyway);
// - and `mid` loses nothing (`mid_exact`: e.g. the same scale as the input,
//   a zero-point shift) or is no finer than `out` (S_mid <= S_out): its
//   rounding error, at most S_mid / 2, then moves the final rounding by at
//   most one step.
bool OneRequantizationSuffices(const RealRange& produced, bool mid_exact, const ir::TensorType& mid,
                               const ir::TensorType& out);

}  // namespace qforge::passes
