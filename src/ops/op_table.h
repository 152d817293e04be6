// The op table: every fact the code needs about an op kind, one row per
// kind of ops.def (src/ops/op_table.def). Passes, the quantizer, the
// writers and the kernel list read these facts instead of keeping their own
// lists of op kinds. A fact that depends on the node's attributes or inputs
// is `kDepends` in the row; the row then names the family function that
// decides it for one node (`refine`), the way shape inference is dispatched.
//
// docs/adding_an_op.md says which columns a new op must fill and how.
#pragma once

#include <cstdint>

#include "ir/graph.h"

namespace qforge::ops {

// How an op relates to the storage order (NCHW / NHWC) of its activations.
enum class Layout : uint8_t {
  kBound,        // reads or writes a fixed storage order (Reshape, Gather, MatMul, ...)
  kElementwise,  // output element i from input element i of its one data input;
                 // other inputs are scalars or per-tensor parameters, or (Quantize/
                 // DequantizeLinear) per-axis ones along an `axis` attribute that
                 // a consumer permuting the layout remaps (SinkTransposes does)
  kBroadcast,    // elementwise over numpy-broadcast data inputs
  kAxes,         // any storage order once its axis attributes/inputs are remapped
                 // (Concat, Split, Slice, Pad, reductions, Softmax over channels)
  kSpatial,      // an NCHW spatial computation with an NHWC form (conv, pools, resize)
};

// How the quantized form of an op chooses its output (S, Z) (QUANT_SPEC 2)
// and which inputs are quantized activations.
enum class QuantForm : uint8_t {
  kNone,         // no integer form: stays float in int8 mode, refused by int8-only
  kLinear,       // input 0 activation, input 1 int8 weights (per channel), input 2 int32 bias;
                 // output calibrated
  kBinary,       // every input an activation; output calibrated
  kConcat,       // every input an activation requantized to the calibrated output
  kSameAsInput,  // output keeps input 0's (S, Z): data movement, max pooling
  kCalibrated,   // input 0 activation; output from its own calibrated range
  kFixed,        // output (S, Z) fixed by the op (Softmax, Sigmoid, Tanh)
};

enum class Fact : uint8_t { kNo, kYes, kDepends };

struct OpFacts;
// Decides the kDepends facts of `row` for one node; returns the row with
// every kDepends replaced by kNo or kYes.
using RefineFn = OpFacts (*)(const OpFacts& row, const ir::Graph& g, const ir::Node& n);

struct OpFacts {
  OpKind kind;
  Layout layout;
  QuantForm quant;
  // The 8-bit table kernel may compute it: a pure function of one 8-bit
  // input code (the table is built by running the reference kernel on all 256).
  Fact table8;
  // Exact when uint8 activations become int8 by shifting every zero point
  // by -128 (docs/design/quantized_ir.md, passes::ActivationsToInt8).
  Fact shift_exact;
  // Clipping range estimators keep its observed min/max: gates and bounded
  // activations, where rare extremes carry the information (MobileNetV3's
  // squeeze-excitation lost 50 points of top-1 when they were clipped).
  Fact keep_minmax;
  // It can carry a fused Relu/Clip as its activation_min/max attributes
  // (qscheme/fused_activation.h), clamping in its output stage: the ops
  // that accumulate and then add a bias or requantize (Conv, Gemm, Add, ...).
  Fact fused_activation;
  // A linear map of input 0 by a weight at input 1 (a filter or a matrix)
  // that indexes the output channels, with its bias, when it has one, at
  // input 2: the form BatchNorm folding and hybrid (int8 weight) forms use.
  Fact weighted;
  // Its scale and zero point are tensors of the graph (inputs, or
  // DynamicQuantizeLinear's outputs), as in ONNX's quantization operators,
  // not the quantized IR's per-value parameters.
  Fact explicit_qparams;
  RefineFn refine;  // nullptr when no fact of the row is kDepends
};

// The row of `kind` (static facts; kDepends where attributes decide).
const OpFacts& RowOf(OpKind kind);
// The facts of one node: the row with every kDepends decided.
OpFacts FactsOf(const ir::Graph& g, const ir::Node& n);

}  // namespace qforge::ops
