// Cancels and moves Transposes so that layout conversions meet and vanish.
//
// The TFLite reader keeps tensors NHWC and wraps each NCHW op in
// Transpose(NHWC->NCHW) -> op -> Transpose(NCHW->NHWC); this pass turns a
// chain of such ops into one NCHW island. Rewrites (all exact, no numeric
// change):
// - Transpose(Transpose(x, p), q) -> Transpose(x, p∘q), removed when identity;
// - a Transpose before a layout-agnostic unary op (activations, Quantize,
//   Dequantize, Requantize, Cast, Clip) moves after it;
// - a binary elementwise op whose inputs are all Transposes by the same perm,
//   or constants (permuted), gets one Transpose after it.
// Graph inputs and outputs keep their names and layouts.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

struct TransposeSinkingReport {
  int removed = 0;  // Transpose nodes removed
  int moved = 0;    // Transposes moved past an op
};

Status SinkTransposes(ir::Graph& graph, TransposeSinkingReport* report = nullptr);

}  // namespace qforge::passes
