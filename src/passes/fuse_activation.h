// Fuses Relu and Clip (Relu6 = Clip(0, 6)) into the op producing their
// input, as the clamp attributes of qscheme/fused_activation.h. Quantized,
// the clamp costs nothing (it narrows the requantization's output limits),
// and the op's output range is calibrated after the clamp, so no int8 step
// is wasted on values the activation would cut off.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// Fuses a Relu, or a Clip whose min and max are float32 constant scalars
// (an omitted bound is no bound), when its input is the float32 output of a
// Conv, ConvTranspose, Gemm, MatMul, Add, Sub or Mul read by no other node
// and not a graph output. The producer then writes the activation's output
// value, so its name (and the calibration range recorded under it) is the
// post-activation tensor. A clamp already fused on the producer is
// intersected; an activation whose bounds would not intersect it stays.
// `fused` (optional) receives the number of activations removed. Leaves a
// compacted, verified graph.
Status FuseActivations(ir::Graph* graph, int* fused = nullptr);

}  // namespace qforge::passes
