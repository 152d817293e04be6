// Per-operator conversion of TFLite operators into IR nodes.
//
// Layout-free ops map 1:1 onto the NHWC tensors with TFLite's axes
// (tflite_import_ops.cc). Layout-bound ops (convolutions, pools, resize) and
// the dense ops, whose operands need reshaping or transposing, live in
// tflite_import_layout.cc (type-changing ops in tflite_import_quant.cc): they become Transpose(0,3,1,2) -> IR
// op (NCHW, weights OIHW) -> Transpose(0,2,3,1); the transpose sinking pass later cancels the pairs between
// consecutive layout-bound ops.
#pragma once

#include <string>
#include <vector>

#include "io/tflite/read/tflite_import_context.h"
#include "qscheme/fused_activation.h"

namespace qforge::io::tflite_import {

// One operator being converted.
struct OpArgs {
  ImportContext& ctx;
  const tflite::Operator& op;
  int32_t index = 0;         // operator index in subgraph 0
  int32_t builtin = 0;       // resolved builtin code
  std::string where;         // "operator 3 (CONV_2D): "
  std::string name;          // IR node name
  bool no_importer = false;  // set by ImportOperator for a builtin it has no form for

  size_t num_inputs() const { return op.inputs() == nullptr ? 0 : op.inputs()->size(); }
  size_t num_outputs() const { return op.outputs() == nullptr ? 0 : op.outputs()->size(); }
  // Tensor index of input/output i; -1 when absent.
  int32_t in(size_t i) const;
  int32_t out(size_t i) const;
  // Fails unless the operator has inputs in [min_in, max_in] (present or
  // -1) and exactly `outs` outputs, and inputs [0, required) are present.
  Status CheckArity(size_t min_in, size_t max_in, size_t outs, size_t required) const;
  Status Invalid(const std::string& m) const { return InvalidModel(where + m); }
  Status Unsupported(const std::string& m) const { return qforge::Unsupported(where + m); }
};

// Converts one verified operator; `builtin` is its resolved builtin code.
Status ImportOperator(OpArgs& a);

// The clamp a TFLite fused activation stands for (TANH / SIGN_BIT: Unsupported).
Result<quant::ActivationRange> FusedRange(const OpArgs& a, tflite::ActivationFunctionType f);
// Attributes carrying `range` for ops that take a fused clamp.
ir::Attributes WithActivation(ir::Attributes attrs, const quant::ActivationRange& range);
// `pre` -> Relu / Clip -> `out` for ops without a fused clamp; `pre == out`
// is never passed (callers give the op a fresh output when range is bounded).
void EmitActivation(OpArgs& a, const quant::ActivationRange& range, ir::ValueId pre, ir::ValueId out);
// The output value the op itself should write: `out`, or a fresh value of
// `out`'s type when a separate activation follows.
ir::ValueId PreActivationValue(OpArgs& a, const quant::ActivationRange& range, ir::ValueId out);

// Layout-bound and dense ops (tflite_import_layout.cc).
Status ImportConv2D(OpArgs& a);
Status ImportDepthwiseConv2D(OpArgs& a);
Status ImportTransposeConv(OpArgs& a);
Status ImportPool2D(OpArgs& a);
Status ImportResize(OpArgs& a);
Status ImportFullyConnected(OpArgs& a);
Status ImportBatchMatMul(OpArgs& a);

// QUANTIZE, DEQUANTIZE, CAST (tflite_import_quant.cc).
Status ImportQuantize(OpArgs& a);
Status ImportDequantize(OpArgs& a);
Status ImportCast(OpArgs& a);

}  // namespace qforge::io::tflite_import
