// The quantization policy: the one module that decides which ops quantize
// and how, in every mode, for every caller. The quantizer (quantizer.h and
// its modes), QDQ import folding (passes/fold_qdq.cc) and the public API
// (qforge/quantize.h, which the CLI calls) all ask here.
//
// Where each rule lives:
// - Facts about an op kind (its integer form, whether clipping estimators
//   keep its observed min/max) are columns of the op table
//   (src/ops/op_table.def: `quant`, `keep_minmax`); this module reads them.
// - Conditions on a node's attributes and inputs for its integer form
//   ("only nearest Resize", "Gemm alpha/beta 1", "constant Clip bounds",
//   "constant Pad mode") are IntegerFormCondition, shared by the quantizer
//   and QDQ folding.
// - What a mode does to a node: IntegerRuleFor (int8, int8-only),
//   HybridRuleFor (dynamic), WeightOf (weight-only, dynamic),
//   Float16Inputs (float16); exclusion (ResolveExclusions) and the gates of
//   the clipping estimators (KeepsObservedMinMax).
//
// Where consumers differ, on purpose: QDQ folding reads files other tools
// wrote, so it follows the op table's form with the shared conditions, plus
// one restriction of its own (QdqFoldForm): a Pad with an explicit
// constant_value input stays float (folding does not quantize the float pad
// value; the quantizer does). The quantizer requires float-constant weights
// and biases (it quantizes them); folding requires int8 / int32 constants
// behind DequantizeLinear (fold_qdq.cc checks those, as they are the file's
// form, not a policy).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/op_table.h"
#include "qforge/tensor.h"

namespace qforge::quant {

// How a node becomes integer in the int8 modes.
struct IntegerOpRule {
  ops::QuantForm form = ops::QuantForm::kNone;  // how its output (S, Z) is chosen
  std::vector<size_t> data_inputs;              // inputs that become quantized activations
  int weight_input = -1;                        // constant weight quantized symmetric per channel
  int weight_axis = -1;                         // output-channel axis of that weight
  int bias_input = -1;                          // bias quantized to int32 at S_in * S_w
  size_t params_input = 0;                      // kSameAsInput: the input whose (S, Z) the output keeps
};

// Ops whose integer kernel compares codes (Max, Min): every operand and the
// output carry one (S, Z), as TFLite's MAXIMUM / MINIMUM require. The
// quantizer keeps the activation's parameters for a constant operand
// (quantized to them, clamped: max/min commute with a monotone quantizer)
// and requantizes two activations to the output's calibrated ones.
bool SameScaleOperands(OpKind op);

// The output (S, Z) of this form comes from the output's calibrated range.
bool CalibratedOutput(ops::QuantForm form);

// Unsupported with the reason when the node's attributes or inputs rule out
// the integer form its op has (the op table's `quant`); Ok otherwise.
Status IntegerFormCondition(const ir::Graph& g, const ir::Node& n);

// The int8 modes' rule for `n`, or an explanation of why it stays float
// (the error message, without the node prefix).
Result<IntegerOpRule> IntegerRuleFor(const ir::Graph& g, const ir::Node& n);

// The integer form a DequantizeLinear -> n -> QuantizeLinear pattern of a
// QDQ file folds into, kNone when it stays float.
ops::QuantForm QdqFoldForm(const ir::Graph& g, const ir::Node& n);

// The fixed output parameters of the kFixed ops (Softmax, Sigmoid, Tanh)
// for an int8 or uint8 output (QUANT_SPEC 2).
QuantParams FixedOutputParams(OpKind op, DataType dtype);

// The weight a weight-quantizing mode quantizes: input index and its
// output-channel axis (-1: one scale per tensor); input -1 when none.
struct WeightSlot {
  int input = -1;
  int axis = -1;
};
WeightSlot WeightOf(const ir::Graph& g, const ir::Node& n);

// Weight-only mode (and dynamic mode for ops without a hybrid kernel): every
// weight quantized and dequantized at load. WeightOf's slot, or for the
// recurrent ops (LSTM, GRU, RNN) both W and R, per gate row (axis 1 of
// [directions, gates * hidden, size]).
std::vector<WeightSlot> WeightOnlySlots(const ir::Graph& g, const ir::Node& n);

// Dynamic mode: the weight the hybrid kernel reads (input -1: the node has
// no float-constant weight, nothing to do), or Unsupported with why no
// hybrid kernel runs it.
Result<WeightSlot> HybridRuleFor(const ir::Graph& g, const ir::Node& n);

// Float16 mode: the inputs whose float constants become float16 (weights,
// biases, constant operands of arithmetic). Attribute-like constants (Clip
// bounds, Resize scales) stay float32: kernels read them as such.
std::vector<size_t> Float16Inputs(OpKind op);

// The reason recorded for a node the user excluded.
inline constexpr const char* kExcludedReason = "excluded by --exclude";

// Maps node names of the float model to nodes of the prepared graph: a name
// whose node was fused away (a Relu into its Conv) names the node that now
// computes its output; a note says so. Unknown names are kept as they are
// (QuantizeGraph rejects them).
std::set<std::string> ResolveExclusions(const std::vector<std::string>& names, const ir::Graph& original,
                                        const ir::Graph& prepared, std::vector<std::string>* notes);

// Gates of the clipping range estimators: the outputs of `n` keep their
// observed min/max (the op table's keep_minmax; graph outputs keep theirs too).
bool KeepsObservedMinMax(const ir::Graph& g, const ir::Node& n);

}  // namespace qforge::quant
