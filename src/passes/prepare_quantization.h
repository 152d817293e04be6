// The float-graph clean-up every quantization mode starts from: constants
// folded, pass-through nodes gone, BatchNormalization merged into weights
// and activations fused, so that each remaining op is one quantized op with
// one calibrated output range.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

struct PrepareReport {
  int constants_folded = 0;    // nodes evaluated into constants
  int identities_removed = 0;  // Identity and inference-mode Dropout nodes
  int batchnorms_folded = 0;
  int batchnorms_kept = 0;  // BatchNormalization left as an op (not foldable)
  int activations_fused = 0;
};

// FoldConstants -> RemoveIdentity -> FoldBatchNorm -> FuseActivations ->
// verify -> re-infer types. Graph outputs keep their names; the graph
// computes the same function (up to float32 rounding of the folded
// weights). `report` is optional.
Status PrepareForQuantization(ir::Graph* graph, PrepareReport* report = nullptr);

}  // namespace qforge::passes
