// Attributes of the ONNX recurrent ops (RNN, GRU, LSTM), parsed once into a
// RecurrentAttrs that shape inference and the kernels share, so that both
// read `direction`, `activations`, `clip`, ... the same way.
//
// Inputs (layout 0; layout 1 swaps the seq/batch axes of X, initial_h/c, Y,
// and puts batch first in Y_h/Y_c):
//   X [seq, batch, input]  W [dirs, G*hidden, input]  R [dirs, G*hidden, hidden]
//   B [dirs, 2*G*hidden]   sequence_lens [batch]      initial_h/c [dirs, batch, hidden]
//   P [dirs, 3*hidden] (LSTM peepholes)
// with G = 1 (RNN), 3 (GRU: z, r, h) or 4 (LSTM: i, o, f, c) gates.
// Errors are Statuses without a node prefix (callers add it, WithNode).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ir/op_kind.h"
#include "qforge/status.h"

namespace qforge::ops {

// The activation functions the ONNX recurrent ops name (case-insensitive).
enum class RnnActivationKind {
  kRelu,
  kTanh,
  kSigmoid,
  kAffine,
  kLeakyRelu,
  kThresholdedRelu,
  kScaledTanh,
  kHardSigmoid,
  kElu,
  kSoftsign,
  kSoftplus,
};

struct RnnActivation {
  RnnActivationKind kind = RnnActivationKind::kTanh;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// f(x) of one activation, in double.
double ApplyRnnActivation(const RnnActivation& a, double x);

enum class RnnDirection { kForward, kReverse, kBidirectional };

struct RecurrentAttrs {
  int gates = 1;         // G above
  int acts_per_dir = 1;  // activation functions per direction: f (RNN), f g (GRU), f g h (LSTM)
  RnnDirection direction = RnnDirection::kForward;
  int num_directions = 1;    // 2 when bidirectional
  int64_t hidden_size = -1;  // -1 when the attribute is absent (taken from R)
  int64_t layout = 0;
  bool has_clip = false;
  float clip = 0.0f;
  bool input_forget = false;         // LSTM: f = 1 - i
  bool linear_before_reset = false;  // GRU
  // acts_per_dir entries per direction, forward first.
  std::vector<RnnActivation> activations;
  const RnnActivation& act(int dir, int k) const {
    return activations[static_cast<size_t>(dir * acts_per_dir + k)];
  }
};

// Parses and validates the attributes of an RNN, GRU or LSTM node.
// Unknown activation names are Unsupported; values the spec forbids are
// InvalidModel.
Status ParseRecurrentAttrs(OpKind op, const ir::Attributes& attrs, RecurrentAttrs* out);

}  // namespace qforge::ops
