// Mul(x, HardSigmoid(x)) with HardSigmoid's alpha = 1/6, beta = 1/2 is
// HardSwish(x): PyTorch exports nn.Hardswish this way below opset 14
// (MobileNetV3). One op instead of two lets the runtime run one kernel and
// lets layout Transposes sink through it (the pair reads x twice, which
// stops them). Float only; the two forms differ by float rounding (x / 6
// against x * float(1/6)), within 1 ulp of the gate.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

Status FuseHardSwish(ir::Graph* graph, int* fused = nullptr);

}  // namespace qforge::passes
