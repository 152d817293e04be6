// RNN, GRU and LSTM on hidden size 1 and input size 1, computed by hand.
// Most cases use identity-like activations (Relu on positive values, or
// Affine with alpha 1, beta 0) so each step is a few multiplications.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_helpers.h"
#include "ops/recurrent_attrs.h"

namespace qforge::testing {
namespace {

ir::Attributes Attrs(const std::string& direction, std::vector<std::string> acts) {
  ir::Attributes a;
  a.Set("hidden_size", int64_t{1});
  a.Set("direction", direction);
  a.Set("activations", std::move(acts));
  return a;
}

// RNN, Relu, W 2, R 0.5, Wb 1: forward on x = 1, 2, -3 gives
// h1 = relu(2 + 0 + 1) = 3, h2 = relu(4 + 1.5 + 1) = 6.5, h3 = relu(-6 + 3.25 + 1) = 0;
// reverse gives h(t=2) = relu(-5) = 0, h(1) = relu(5) = 5, h(0) = relu(2 + 2.5 + 1) = 5.5.
TEST(Recurrent, RnnDirections) {
  Tensor x = F32({3, 1, 1}, {1, 2, -3});
  Tensor w = F32({1, 1, 1}, {2}), r = F32({1, 1, 1}, {0.5}), b = F32({1, 2}, {1, 0});
  auto fwd = RunSingleOp(OpKind::kRNN, Attrs("forward", {"Relu"}), {&x, &w, &r, &b}, 2);
  ASSERT_TRUE(fwd.ok()) << fwd.status().ToString();
  ExpectTensor((*fwd)[0], {3, 1, 1, 1}, {3, 6.5, 0});
  ExpectTensor((*fwd)[1], {1, 1, 1}, {0});
  auto rev = RunSingleOp(OpKind::kRNN, Attrs("reverse", {"Relu"}), {&x, &w, &r, &b}, 2);
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  ExpectTensor((*rev)[0], {3, 1, 1, 1}, {5.5, 5, 0});
  ExpectTensor((*rev)[1], {1, 1, 1}, {5.5});
  Tensor w2 = F32({2, 1, 1}, {2, 2}), r2 = F32({2, 1, 1}, {0.5, 0.5}), b2 = F32({2, 2}, {1, 0, 1, 0});
  auto bi = RunSingleOp(OpKind::kRNN, Attrs("bidirectional", {"Relu", "Relu"}), {&x, &w2, &r2, &b2}, 2);
  ASSERT_TRUE(bi.ok()) << bi.status().ToString();
  ExpectTensor((*bi)[0], {3, 2, 1, 1}, {3, 5.5, 6.5, 5, 0, 0});
  ExpectTensor((*bi)[1], {2, 1, 1}, {0, 5.5});
}

// sequence_lens 2 of 3: forward stops after h2 = 6.5; reverse starts at t = 1
// (h = relu(4 + 1) = 5, then relu(2 + 2.5 + 1) = 5.5); Y rows past 2 are zero.
// Layout 1 puts batch first in X, Y and Y_h; initial_h 2 starts from h0 = 2.
TEST(Recurrent, RnnSequenceLensLayoutAndInitialState) {
  Tensor x = F32({3, 1, 1}, {1, 2, -3});
  Tensor w2 = F32({2, 1, 1}, {2, 2}), r2 = F32({2, 1, 1}, {0.5, 0.5}), b2 = F32({2, 2}, {1, 0, 1, 0});
  Tensor lens = I32({1}, {2});
  auto bi =
      RunSingleOp(OpKind::kRNN, Attrs("bidirectional", {"Relu", "Relu"}), {&x, &w2, &r2, &b2, &lens}, 2);
  ASSERT_TRUE(bi.ok()) << bi.status().ToString();
  ExpectTensor((*bi)[0], {3, 2, 1, 1}, {3, 5.5, 6.5, 5, 0, 0});
  ExpectTensor((*bi)[1], {2, 1, 1}, {6.5, 5.5});

  Tensor xb = F32({1, 3, 1}, {1, 2, -3});
  Tensor w = F32({1, 1, 1}, {2}), r = F32({1, 1, 1}, {0.5}), b = F32({1, 2}, {1, 0});
  Tensor h0 = F32({1, 1, 1}, {2});
  ir::Attributes a = Attrs("forward", {"Relu"});
  a.Set("layout", int64_t{1});
  // h1 = relu(2 + 1 + 1) = 4, h2 = relu(4 + 2 + 1) = 7, h3 = relu(-6 + 3.5 + 1) = 0.
  auto l1 = RunSingleOp(OpKind::kRNN, a, {&xb, &w, &r, &b, nullptr, &h0}, 2);
  ASSERT_TRUE(l1.ok()) << l1.status().ToString();
  ExpectTensor((*l1)[0], {1, 3, 1, 1}, {4, 7, 0});
  ExpectTensor((*l1)[1], {1, 1, 1}, {0});

  Tensor too_long = I32({1}, {4});
  EXPECT_EQ(RunCode(OpKind::kRNN, Attrs("forward", {"Relu"}), {&x, &w, &r, &b, &too_long}),
            StatusCode::kInvalidArgument);
}

// LSTM with identity activations (Affine 1, 0), W per gate (i o f c) = 1 1 0 1,
// R 0, Wb_f 0.5, x = 2, 3:
//   step 1: i = o = c~ = 2, f = 0.5, C = 4, H = 2 * 4 = 8
//   step 2: i = o = c~ = 3, f = 0.5, C = 2 + 9 = 11, H = 33.
TEST(Recurrent, LstmPeepholesInputForgetClip) {
  Tensor x = F32({2, 1, 1}, {2, 3});
  Tensor w = F32({1, 4, 1}, {1, 1, 0, 1}), r = F32({1, 4, 1}, {0, 0, 0, 0});
  Tensor b = F32({1, 8}, {0, 0, 0.5, 0, 0, 0, 0, 0});
  ir::Attributes a = Attrs("forward", {"Affine", "Affine", "Affine"});
  auto plain = RunSingleOp(OpKind::kLSTM, a, {&x, &w, &r, &b}, 3);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  ExpectTensor((*plain)[0], {2, 1, 1, 1}, {8, 33});
  ExpectTensor((*plain)[1], {1, 1, 1}, {33});
  ExpectTensor((*plain)[2], {1, 1, 1}, {11});

  // Peepholes Pi 1, Po 0.5, Pf 0: step 1 o = 2 + 0.5 * 4 = 4, H = 16;
  // step 2 i = 3 + 4 = 7, C = 2 + 21 = 23, o = 3 + 11.5 = 14.5, H = 333.5.
  Tensor p = F32({1, 3}, {1, 0.5, 0});
  ExpectTensor(Run1(OpKind::kLSTM, a, {&x, &w, &r, &b, nullptr, nullptr, nullptr, &p}), {2, 1, 1, 1},
               {16, 333.5});

  // input_forget: f = 1 - i: step 1 C = 4, H = 8; step 2 f = -2, C = -8 + 9 = 1, H = 3.
  ir::Attributes coupled = a;
  coupled.Set("input_forget", int64_t{1});
  ExpectTensor(Run1(OpKind::kLSTM, coupled, {&x, &w, &r, &b}), {2, 1, 1, 1}, {8, 3});

  // clip 2.5 caps step 2's gates: i = o = c~ = 2.5, C = 2 + 6.25, H = 20.625.
  ir::Attributes clipped = a;
  clipped.Set("clip", 2.5f);
  ExpectTensor(Run1(OpKind::kLSTM, clipped, {&x, &w, &r, &b}), {2, 1, 1, 1}, {8, 20.625});

  // initial_c 1 with the default activations: i = o = sigmoid(0), f = sigmoid(0.5), c~ = tanh(0).
  Tensor zero_x = F32({1, 1, 1}, {0});
  Tensor c0 = F32({1, 1, 1}, {1});
  ir::Attributes defaults;
  defaults.Set("hidden_size", int64_t{1});
  const double c1 = 1.0 / (1.0 + std::exp(-0.5));
  auto d = RunSingleOp(OpKind::kLSTM, defaults, {&zero_x, &w, &r, &b, nullptr, nullptr, &c0}, 3);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ExpectTensor((*d)[0], {1, 1, 1, 1}, {0.5 * std::tanh(c1)});
  ExpectTensor((*d)[2], {1, 1, 1}, {c1});
}

// GRU, identity activations, W (z r h) = 0 1 1, R = 0 0 2, Wb_z 0.25, Rb_h 1,
// h0 1, x = 1, 2. linear_before_reset 0: h~ = x + 2 (r h) + 1:
//   step 1: z = 0.25, r = 1, h~ = 4, H = 0.75 * 4 + 0.25 = 3.25
//   step 2: r = 2, h~ = 2 + 13 + 1 = 16, H = 12 + 0.8125 = 12.8125.
// linear_before_reset 1: h~ = x + r (2 h + 1): step 1 the same, step 2
// h~ = 2 + 2 * 7.5 = 17, H = 12.75 + 0.8125 = 13.5625.
TEST(Recurrent, GruLinearBeforeReset) {
  Tensor x = F32({2, 1, 1}, {1, 2});
  Tensor w = F32({1, 3, 1}, {0, 1, 1}), r = F32({1, 3, 1}, {0, 0, 2});
  Tensor b = F32({1, 6}, {0.25, 0, 0, 0, 0, 1});
  Tensor h0 = F32({1, 1, 1}, {1});
  ir::Attributes a = Attrs("forward", {"Affine", "Affine"});
  auto g = RunSingleOp(OpKind::kGRU, a, {&x, &w, &r, &b, nullptr, &h0}, 2);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ExpectTensor((*g)[0], {2, 1, 1, 1}, {3.25, 12.8125});
  ExpectTensor((*g)[1], {1, 1, 1}, {12.8125});
  a.Set("linear_before_reset", int64_t{1});
  ExpectTensor(Run1(OpKind::kGRU, a, {&x, &w, &r, &b, nullptr, &h0}), {2, 1, 1, 1}, {3.25, 13.5625});
}

// alpha and beta go, in order, to the activations that take them; the rest
// keep ONNX's defaults.
TEST(Recurrent, ActivationsAndTheirParameters) {
  ir::Attributes a = Attrs("bidirectional", {"LeakyRelu", "hardsigmoid"});
  a.Set("activation_alpha", std::vector<float>{0.1f, 0.4f});
  a.Set("activation_beta", std::vector<float>{0.3f});
  ops::RecurrentAttrs parsed;
  ASSERT_TRUE(ops::ParseRecurrentAttrs(OpKind::kRNN, a, &parsed).ok());
  EXPECT_DOUBLE_EQ(ops::ApplyRnnActivation(parsed.act(0, 0), -2.0), -2.0 * 0.1f);
  EXPECT_DOUBLE_EQ(ops::ApplyRnnActivation(parsed.act(1, 0), 1.0), double{0.4f} + double{0.3f});
  using K = ops::RnnActivationKind;
  const std::pair<ops::RnnActivation, std::pair<double, double>> cases[] = {
      {{K::kRelu}, {-1, 0}},
      {{K::kSigmoid}, {0, 0.5}},
      {{K::kTanh}, {0, 0}},
      {{K::kAffine, 2, 1}, {3, 7}},
      {{K::kThresholdedRelu, 1}, {0.5, 0}},
      {{K::kThresholdedRelu, 1}, {1.5, 1.5}},
      {{K::kScaledTanh, 2, 0.5}, {2, 2 * std::tanh(1.0)}},
      {{K::kElu, 1}, {-1, std::exp(-1.0) - 1}},
      {{K::kSoftsign}, {-3, -0.75}},
      {{K::kSoftplus}, {0, std::log(2.0)}},
      {{K::kHardSigmoid, 0.2f, 0.5f}, {10, 1}},
  };
  for (const auto& [act, io] : cases) {
    EXPECT_NEAR(ops::ApplyRnnActivation(act, io.first), io.second, 1e-6) << static_cast<int>(act.kind);
  }
  // Defaults: LeakyRelu 0.01, Elu 1, HardSigmoid 0.2 / 0.5.
  ASSERT_TRUE(
      ops::ParseRecurrentAttrs(OpKind::kGRU, Attrs("forward", {"HardSigmoid", "LeakyRelu"}), &parsed).ok());
  EXPECT_NEAR(ops::ApplyRnnActivation(parsed.act(0, 0), 0.0), 0.5, 1e-7);
  EXPECT_NEAR(ops::ApplyRnnActivation(parsed.act(0, 1), -1.0), -0.01, 1e-7);
}

TEST(Recurrent, AttributeErrors) {
  ir::TensorType x = Type(DataType::kFloat32, {3, 1, 1});
  ir::TensorType w = Type(DataType::kFloat32, {1, 1, 1});
  ir::TensorType b = Type(DataType::kFloat32, {1, 2});
  auto code = [&](OpKind op, const ir::Attributes& a) {
    return InferTypes(op, a, {&x, &w, &w, &b}).status().code();
  };
  EXPECT_EQ(code(OpKind::kRNN, Attrs("forward", {"Gelu"})), StatusCode::kUnsupported);
  EXPECT_EQ(code(OpKind::kRNN, Attrs("forward", {"Tanh", "Tanh"})), StatusCode::kInvalidModel);
  EXPECT_EQ(code(OpKind::kRNN, Attrs("sideways", {"Tanh"})), StatusCode::kInvalidModel);
  ir::Attributes layout = Attrs("forward", {"Tanh"});
  layout.Set("layout", int64_t{2});
  EXPECT_EQ(code(OpKind::kRNN, layout), StatusCode::kInvalidModel);
  // W of 1 row is not 4 gates of hidden 1.
  ir::Attributes lstm;
  lstm.Set("hidden_size", int64_t{1});
  EXPECT_EQ(code(OpKind::kLSTM, lstm), StatusCode::kInvalidModel);
  EXPECT_EQ(code(OpKind::kRNN, Attrs("bidirectional", {"Tanh", "Tanh"})), StatusCode::kInvalidModel);
}

// Batch and sequence stay dynamic; hidden size comes from R without the attribute.
TEST(Recurrent, InferDynamicBatchAndSequence) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, -1, 5});
  ir::TensorType w = Type(DataType::kFloat32, {2, 16, 5});
  ir::TensorType r = Type(DataType::kFloat32, {2, 16, 4});
  ir::Attributes a;
  a.Set("direction", std::string("bidirectional"));
  auto t = InferTypes(OpKind::kLSTM, a, {&x, &w, &r}, {}, 3);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].dims, (std::vector<int64_t>{-1, 2, -1, 4}));
  EXPECT_EQ((*t)[2].dims, (std::vector<int64_t>{2, -1, 4}));
  a.Set("layout", int64_t{1});
  t = InferTypes(OpKind::kLSTM, a, {&x, &w, &r}, {}, 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].dims, (std::vector<int64_t>{-1, -1, 2, 4}));
  EXPECT_EQ((*t)[1].dims, (std::vector<int64_t>{-1, 2, 4}));
}

}  // namespace
}  // namespace qforge::testing
