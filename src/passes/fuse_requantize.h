// Runtime pass: an integer op whose output only a Requantize reads writes
// the Requantize's output parameters itself (docs/design/runtime_passes.md),
// saving a pass over the tensor and a rounding. Applied by the runtime to its
// own copy of a quantized graph; never written to files.
//
// Producers: integer Conv, Gemm, MatMul, Add, Sub, Mul (one requantization
// of the accumulator, with a fused clamp) and GlobalAveragePool (one
// requantization, no clamp). AveragePool and MaxPool are not producers: their
// integer form keeps the input's (S, Z) (docs/design/quantized_ir.md).
// Requires: the producer's output is read by that Requantize alone and is
// not a graph output, both are per-tensor quantized of one dtype.
//
// Numerics: one rounding instead of two. The result is within one step of
// the two-step one when the intermediate scale is no finer than the final
// one (S_mid <= S_out; see OneRequantizationSuffices), which is checked;
// equal scales (an int8 <-> uint8 zero-point shift) are exact. The
// intermediate type's saturation becomes part of the fused clamp
// (activation_min / activation_max, quant/fused_activation.h): the clamp the
// producer applied in its own (S, Z), snapped to that grid, in real values.
// GlobalAveragePool has no clamp: it is fused only when its input's range
// cannot saturate the intermediate type.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

struct FuseRequantizeReport {
  int fused = 0;
  int skipped_finer_scale = 0;  // S_mid > S_out: fusing could move results by more than one step
  int skipped_saturation = 0;   // a GlobalAveragePool whose intermediate type could saturate
};

// Leaves a compacted, verified graph; `report` (optional) gets the counts.
Status FuseRequantize(ir::Graph* graph, FuseRequantizeReport* report = nullptr);

}  // namespace qforge::passes
