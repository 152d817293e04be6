// The named pass pipelines: every place qforge runs a sequence of graph
// passes calls one of these, and no other code chains passes. Each is a
// short ordered list; pipelines.cc says why each pass is there and why in
// that order, docs/design/pipelines.md lists them with their callers.
//
//   file --reader--> AfterOnnxImport / AfterTfliteImport --> IR
//   IR --> PrepareForQuantization --> quantizer (quant/quantizer.h)
//   IR --> BeforeOnnxWrite / BeforeTfliteWrite --> writer
//   IR --(a copy)--> BeforeRuntimePlan --> memory plan, kernels
//
// All of them keep the graph's inputs and outputs (names, types, layouts)
// and compute the same function (exactly, except PrepareForQuantization's
// float32 rounding of folded weights).
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// After the ONNX reader has built and verified the graph (topologically
// sorted): constants folded, types filled in, QDQ folded into the quantized
// IR. The reader then states the requantization rule of the file.
Status AfterOnnxImport(ir::Graph* graph);

// After the TFLite reader has built and verified the graph: the reader's
// NHWC <-> NCHW Transposes cancelled, types filled in. No constant folding.
Status AfterTfliteImport(ir::Graph* graph);

struct PrepareReport {
  int constants_folded = 0;    // nodes evaluated into constants
  int identities_removed = 0;  // Identity and inference-mode Dropout nodes
  int batchnorms_folded = 0;
  int batchnorms_kept = 0;  // BatchNormalization left as an op (not foldable)
  int activations_fused = 0;
};

// The float-graph clean-up every quantization mode starts from: constants
// folded, pass-through nodes gone, BatchNormalization merged into weights
// and activations fused, so that each remaining op is one quantized op with
// one calibrated output range. Graph outputs keep their names; the graph
// computes the same function up to float32 rounding of the folded weights.
// `report` is optional.
Status PrepareForQuantization(ir::Graph* graph, PrepareReport* report = nullptr);

// Before the ONNX writer: the file is written as the IR is, so nothing is
// rewritten; a graph carrying runtime-only attributes is refused.
Status BeforeOnnxWrite(const ir::Graph& graph);

// Before the TFLite writer, on the writer's own copy: refuses runtime-only
// attributes, then does what TFLite's converter does before writing.
Status BeforeTfliteWrite(ir::Graph* graph);

// The runtime's pipeline, on the session's own copy of the model's graph
// (runtime/optimize.h); nothing it does is ever written to a file.
Status BeforeRuntimePlan(ir::Graph* graph);

}  // namespace qforge::passes
