// Which ops the int8 modes can make integer, and how each one's output
// parameters are chosen (QUANT_SPEC 2): the quantizer's view of the integer
// kernels (docs/design/quantized_ir.md). An op not described here stays
// float (int8 mode) or is an error (int8-only).
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/tensor.h"

namespace qforge::quant {

enum class OutputParams {
  kCalibrated,   // from the output's calibrated range
  kSameAsInput,  // the input's (S, Z): pooling, reshapes, transpose, pad, resize, ...
  kFixed,        // fixed by the op: softmax, sigmoid, tanh
};

struct IntegerOpRule {
  OutputParams output = OutputParams::kCalibrated;
  std::vector<size_t> data_inputs;  // indices of inputs that become quantized activations
  int weight_input = -1;            // constant weight quantized symmetric per channel
  int weight_axis = -1;             // output-channel axis of that weight
  int bias_input = -1;              // bias quantized to int32 at S_in * S_w
};

// The rule for `node`, or an explanation of why it has no integer form
// (returned as the error message, without the node prefix).
Result<IntegerOpRule> IntegerRuleFor(const ir::Graph& g, const ir::Node& node);

// The fixed output parameters of Softmax / Sigmoid / Tanh for `dtype`.
QuantParams FixedOutputParams(OpKind op, DataType dtype);

}  // namespace qforge::quant
