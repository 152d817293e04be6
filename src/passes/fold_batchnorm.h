// Folds an inference-mode BatchNormalization into the Conv, ConvTranspose or
// Gemm producing its input. BN is a per-channel affine map
// y = x * s + t with s = gamma / sqrt(var + eps) and t = beta - mean * s, so
// it merges into the producer's constant weights (scaled per output channel)
// and bias (b' = b * s + t). Quantizing the folded weights is what the
// runtimes do at inference, and one op has one calibrated range instead of two.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

struct FoldBatchNormReport {
  int folded = 0;
  int kept = 0;  // BatchNormalization nodes that could not be folded
};

// Folds a BN when: its input is produced by a Conv, ConvTranspose or Gemm
// with float32 constant weights and bias (bias may be absent), or by a
// MatMul of a 2-D input by a constant 2-D matrix (which becomes a Gemm with
// the folded bias), that output
// is read only by the BN and is not a graph output, the producer has no
// fused activation, and the BN's scale, B, mean and var are float32
// constants with one value per output channel. The producer then writes the
// BN's output value (its name is kept). The folded weights and bias are new
// constants (the originals may be shared with other nodes), computed in
// double and stored as float32. Other BNs stay. Leaves a compacted, verified graph.
Status FoldBatchNorm(ir::Graph* graph, FoldBatchNormReport* report = nullptr);

}  // namespace qforge::passes
