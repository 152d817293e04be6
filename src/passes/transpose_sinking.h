// Cancels and moves Transposes so that layout conversions meet and vanish.
//
// The TFLite reader keeps tensors NHWC and wraps each NCHW op in
// Transpose(NHWC->NCHW) -> op -> Transpose(NCHW->NHWC); this pass turns a
// chain of such ops into one NCHW island. Rewrites (all exact, no numeric
// change):
// - Transpose(Transpose(x, p), q) -> Transpose(x, p∘q), removed when identity;
// - a Transpose before a layout-agnostic unary op (activations, Quantize,
//   Dequantize, Requantize, Cast, Clip) moves after it;
// - a binary elementwise op (Add, Sub, Mul, Div, Pow, Max, Min, Equal,
//   PRelu) or a Concat (axis remapped) whose non-constant inputs are all
//   Transposes by the same perm gets one Transpose after it; constants are
//   permuted (after numpy's leading-1 broadcast; Concat: same rank only).
// Transposes whose output is read elsewhere too, or is a graph output, stay.
// Graph inputs and outputs keep their names and layouts.
#pragma once

#include "ir/graph.h"
#include "ops/op_kind.h"
#include "qforge/status.h"

namespace qforge::passes {

struct TransposeSinkingReport {
  int removed = 0;  // Transpose nodes removed
  int moved = 0;    // Transposes moved past an op
};

Status SinkTransposes(ir::Graph& graph, TransposeSinkingReport* report = nullptr);

// The ops a Transpose moves past: each output element comes from the input
// element(s) at the same index, so the output has the inputs' layout.
bool IsLayoutAgnosticUnary(OpKind op);
bool IsElementwiseBinary(OpKind op);

}  // namespace qforge::passes
