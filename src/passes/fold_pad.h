// Runtime pass: folds a constant-mode Pad of the spatial dims into the
// explicit pads of the 2-D Conv / AveragePool / MaxPool reading it
// (docs/design/runtime_passes.md). Saves one copy of the whole activation.
// Applied by the runtime to its own copy of a graph; never written to files.
//
// Exact in every case it applies to, because the window op then sees the
// same numbers at the padded positions:
// - Conv (float, integer, hybrid; any group): the Pad fills real 0.0 (float
//   value 0, or a quantized fill equal to the input zero point, which is
//   what an integer Conv pads with);
// - AveragePool: real 0.0 as above, and the window then counts the padded
//   positions (count_include_pad = 1); a pool with pads of its own that does
//   not count them is left alone (its divisor cannot be expressed);
// - MaxPool: the fill is -inf (float) or the type's minimum (quantized),
//   which never wins a window; pads must stay smaller than the window.
// ceil_mode pools, SAME auto_pad and non-2-D ops are left alone.
//
// The TFLite reader's form Pad (NHWC) -> Transpose(to NCHW) -> op is folded
// too: the Transpose then reads the unpadded tensor and the op pads the
// dims the Transpose maps the padded ones to. Every reader of the Pad (or of
// that Transpose) must be such an op reading it as its data input; the Pad
// output must not be a graph output.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

struct FoldPadReport {
  int pads_folded = 0;        // Pad nodes removed
  int through_transpose = 0;  // of which reached their readers through a Transpose
  int into_conv = 0;          // readers that took the pads, by kind
  int into_average_pool = 0;
  int into_max_pool = 0;
};

// Leaves a compacted, verified graph; `report` (optional) gets the counts.
Status FoldPadIntoConv(ir::Graph* graph, FoldPadReport* report = nullptr);

}  // namespace qforge::passes
