// A random single-node LSTM, GRU or RNN graph in float for the optimized
// kernel cross-tests (opt_kernels_test.cc, opt_recurrent_test.cc): seq 1..7,
// batch 1..3, input and hidden sizes 1..20 (odd ones included), any
// direction and layout, with or without biases, initial states and a
// sequence_lens of full lengths; the outputs Y, Y_h (and Y_c for LSTM).
// `variant` picks what the optimized kernel must decline instead: 1 adds
// peepholes, 2 a clip, 3 a ragged sequence_lens, 4 a custom activation.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_kind.h"
#include "qforge/tensor.h"

namespace qforge::testing {

struct RecurrentCase {
  ir::Graph graph;
  std::vector<Tensor> inputs;
  std::string what;
};

inline RecurrentCase MakeRecurrentCase(std::mt19937& rng, OpKind op, int variant = 0) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto random = [&](std::vector<int64_t> dims) {
    Tensor t(DataType::kFloat32, std::move(dims));
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    for (float& v : t.span<float>()) v = d(rng);
    return t;
  };
  RecurrentCase c;
  const int64_t seq = pick(1, 7), batch = pick(1, 3), input = pick(1, 20), hidden = pick(1, 20);
  const int64_t gates = op == OpKind::kLSTM ? 4 : op == OpKind::kGRU ? 3 : 1;
  const int dir_kind = pick(0, 2);
  const int64_t dirs = dir_kind == 2 ? 2 : 1, layout = pick(0, 1);
  ir::Node node;
  node.name = "rec";
  node.op = op;
  node.attrs.Set("hidden_size", hidden);
  node.attrs.Set("direction", std::string(dir_kind == 0   ? "forward"
                                          : dir_kind == 1 ? "reverse"
                                                          : "bidirectional"));
  node.attrs.Set("layout", layout);
  if (op == OpKind::kGRU) node.attrs.Set("linear_before_reset", int64_t{pick(0, 1)});
  const bool relu = op == OpKind::kRNN && pick(0, 1) == 1;
  if (relu) node.attrs.Set("activations", std::vector<std::string>(static_cast<size_t>(dirs), "Relu"));
  if (variant == 2) node.attrs.Set("clip", 0.5f);
  if (variant == 4) {
    std::vector<std::string> acts;
    for (int64_t d = 0; d < dirs; ++d) {
      if (op != OpKind::kRNN) acts.push_back("HardSigmoid");
      acts.push_back("Tanh");
      if (op == OpKind::kLSTM) acts.push_back("Tanh");
    }
    if (op == OpKind::kRNN) acts.assign(static_cast<size_t>(dirs), "Softsign");
    node.attrs.Set("activations", acts);
  }
  auto add_input = [&](const std::string& name, Tensor t) {
    ir::TensorType type;
    type.dtype = t.dtype();
    type.rank_known = true;
    type.dims = t.dims();
    const ir::ValueId id = c.graph.AddValue(name, type);
    c.graph.inputs.push_back(id);
    c.inputs.push_back(std::move(t));
    return id;
  };
  node.inputs.push_back(add_input("x", random(layout == 0 ? std::vector<int64_t>{seq, batch, input}
                                                          : std::vector<int64_t>{batch, seq, input})));
  node.inputs.push_back(c.graph.AddConstant("w", random({dirs, gates * hidden, input})));
  node.inputs.push_back(c.graph.AddConstant("r", random({dirs, gates * hidden, hidden})));
  const bool bias = pick(0, 3) != 0, lens = variant == 3 || pick(0, 3) == 0;
  const bool init_h = pick(0, 1) == 1, init_c = op == OpKind::kLSTM && pick(0, 1) == 1;
  node.inputs.push_back(bias ? c.graph.AddConstant("b", random({dirs, 2 * gates * hidden})) : ir::kNoValue);
  if (lens) {
    Tensor l(DataType::kInt32, {batch});
    for (int32_t& v : l.span<int32_t>()) v = static_cast<int32_t>(seq);
    if (variant == 3) l.span<int32_t>()[0] = static_cast<int32_t>(seq - 1);
    node.inputs.push_back(c.graph.AddConstant("lens", std::move(l)));
  } else {
    node.inputs.push_back(ir::kNoValue);
  }
  const std::vector<int64_t> state =
      layout == 0 ? std::vector<int64_t>{dirs, batch, hidden} : std::vector<int64_t>{batch, dirs, hidden};
  node.inputs.push_back(init_h ? add_input("h0", random(state)) : ir::kNoValue);
  node.inputs.push_back(init_c ? add_input("c0", random(state)) : ir::kNoValue);
  if (variant == 1 && op == OpKind::kLSTM)
    node.inputs.push_back(c.graph.AddConstant("p", random({dirs, 3 * hidden})));
  while (!node.inputs.empty() && node.inputs.back() == ir::kNoValue) node.inputs.pop_back();
  for (const char* name : {"y", "y_h", "y_c"}) {
    if (std::string(name) == "y_c" && op != OpKind::kLSTM) break;
    ir::TensorType type;
    type.dtype = DataType::kFloat32;
    const ir::ValueId id = c.graph.AddValue(name, type);
    c.graph.outputs.push_back(id);
    node.outputs.push_back(id);
  }
  c.what = std::string(OpName(op)) + " seq" + std::to_string(seq) + " batch" + std::to_string(batch) + " in" +
           std::to_string(input) + " hidden" + std::to_string(hidden) + " dir" + std::to_string(dir_kind) +
           " layout" + std::to_string(layout) + (bias ? " bias" : "") + (lens ? " lens" : "") +
           (init_h ? " h0" : "") + (init_c ? " c0" : "") + (relu ? " relu" : "") +
           (op == OpKind::kGRU ? " lbr" + std::to_string(node.attrs.GetInt("linear_before_reset", 0)) : "") +
           " variant" + std::to_string(variant);
  c.graph.AddNode(std::move(node));
  return c;
}

}  // namespace qforge::testing
