// Cancels and moves Transposes so that layout conversions meet and vanish.
//
// The TFLite reader keeps tensors NHWC and wraps each NCHW op in
// Transpose(NHWC->NCHW) -> op -> Transpose(NCHW->NHWC); this pass turns a
// chain of such ops into one NCHW island. Rewrites (all exact, no numeric
// change):
// - Transpose(Transpose(x, p), q) -> Transpose(x, p∘q), removed when identity;
// - a Transpose before an elementwise op (op table layout kElementwise:
//   activations, Cast, Quantize/Dequantize with a per-axis axis remapped,
//   Requantize, ...) moves after it;
// - a broadcasting op (layout kBroadcast: Add, Mul, Pow, PRelu, ...) or a
//   Concat (axis remapped) whose non-constant inputs are all Transposes by
//   the same perm gets one Transpose after it; constants are permuted
//   (after numpy's leading-1 broadcast; Concat: same rank only).
// Transposes whose output is read elsewhere too, or is a graph output, stay.
// Graph inputs and outputs keep their names and layouts.
#pragma once

#include "ir/graph.h"
#include "ir/op_kind.h"
#include "qforge/status.h"

namespace qforge::passes {

struct TransposeSinkingReport {
  int removed = 0;  // Transpose nodes removed
  int moved = 0;    // Transposes moved past an op
};

Status SinkTransposes(ir::Graph& graph, TransposeSinkingReport* report = nullptr);

// True for the ops SinkTransposes moves a Transpose past: the output has
// the inputs' layout. Of the kAxes ops only Concat: the pass remaps no
// other op's axes.
bool KeepsLayout(OpKind op);

}  // namespace qforge::passes
