#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

TEST(ConvTranspose, StrideOneOverlapsAdd) {
  Tensor x = F32({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = F32({1, 1, 2, 2}, {1, 1, 1, 1});
  ExpectTensor(Run1(OpKind::kConvTranspose, {}, {&x, &w}), {1, 1, 3, 3}, {1, 3, 2, 4, 10, 6, 3, 7, 4});
  Tensor b = F32({1}, {0.5});
  ExpectTensor(Run1(OpKind::kConvTranspose, {}, {&x, &w, &b}), {1, 1, 3, 3},
               {1.5, 3.5, 2.5, 4.5, 10.5, 6.5, 3.5, 7.5, 4.5});
}

TEST(ConvTranspose, StridePadsOutputPaddingAndOutputShape) {
  Tensor x = F32({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = F32({1, 1, 2, 2}, {1, 1, 1, 1});
  ir::Attributes a;
  a.Set("strides", Ints{2, 2});
  // Stride 2 with a 2x2 kernel: every input becomes a 2x2 block.
  ExpectTensor(Run1(OpKind::kConvTranspose, a, {&x, &w}), {1, 1, 4, 4},
               {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  ir::Attributes p = a;
  p.Set("pads", Ints{1, 1, 1, 1});  // crops one row/column on each side
  ExpectTensor(Run1(OpKind::kConvTranspose, p, {&x, &w}), {1, 1, 2, 2}, {1, 2, 3, 4});
  ir::Attributes op = a;
  op.Set("output_padding", Ints{1, 1});  // one extra zero row and column at the end
  const std::vector<double> padded = {1, 1, 2, 2, 0, 1, 1, 2, 2, 0, 3, 3, 4,
                                      4, 0, 3, 3, 4, 4, 0, 0, 0, 0, 0, 0};
  ExpectTensor(Run1(OpKind::kConvTranspose, op, {&x, &w}), {1, 1, 5, 5}, padded);
  ir::Attributes os = a;
  os.Set("output_shape", Ints{5, 5});  // the same result via the requested shape
  ExpectTensor(Run1(OpKind::kConvTranspose, os, {&x, &w}), {1, 1, 5, 5}, padded);
}

TEST(ConvTranspose, AutoPadSameUpperCropsTheEnd) {
  Tensor x = F32({1, 1, 3}, {1, 2, 3});
  Tensor w = F32({1, 1, 3}, {1, 1, 1});
  ir::Attributes a;
  a.Set("strides", Ints{2});
  a.Set("auto_pad", std::string("SAME_UPPER"));
  // Full result (length 7): 1 1 3 2 5 3 3; output length 6, pad 1 at the end.
  ExpectTensor(Run1(OpKind::kConvTranspose, a, {&x, &w}), {1, 1, 6}, {1, 1, 3, 2, 5, 3});
  a.Set("auto_pad", std::string("SAME_LOWER"));
  ExpectTensor(Run1(OpKind::kConvTranspose, a, {&x, &w}), {1, 1, 6}, {1, 3, 2, 5, 3, 3});
}

TEST(ConvTranspose, GroupsAndChannels) {
  Tensor x = F32({1, 2, 1, 1}, {2, 3});
  Tensor w = F32({2, 1, 1, 1}, {5, 7});
  ir::Attributes a;
  a.Set("group", int64_t{2});
  ExpectTensor(Run1(OpKind::kConvTranspose, a, {&x, &w}), {1, 2, 1, 1}, {10, 21});
  // One input channel to two output channels: W is (C, M, k).
  Tensor x1 = F32({1, 1, 1}, {2});
  Tensor w2 = F32({1, 2, 1}, {3, 4});
  ExpectTensor(Run1(OpKind::kConvTranspose, {}, {&x1, &w2}), {1, 2, 1}, {6, 8});
}

TEST(ConvTranspose, InferShapes) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 4, 5, 7});
  ir::TensorType w = Type(DataType::kFloat32, {4, 3, 3, 3});
  ir::Attributes a;
  a.Set("strides", Ints{2, 2});
  a.Set("pads", Ints{1, 1, 1, 1});
  a.Set("output_padding", Ints{1, 0});
  a.Set("group", int64_t{2});
  auto r = InferTypes(OpKind::kConvTranspose, a, {&x, &w});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 2 * (5 - 1) + 1 + 3 - 2 = 10, 2 * (7 - 1) + 0 + 3 - 2 = 13; M = 3 * group.
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 6, 10, 13}));
  ir::TensorType w_bad = Type(DataType::kFloat32, {5, 3, 3, 3});
  EXPECT_EQ(InferTypes(OpKind::kConvTranspose, a, {&x, &w_bad}).status().code(), StatusCode::kInvalidModel);
}

// Independent "gather" formulation: output position o receives x[i] * w[k]
// for every (i, k) with i * s - pb + k * d == o.
Tensor ConvTransposeGather(const Tensor& x, const Tensor& w, int64_t s, int64_t d, int64_t pb,
                           int64_t out_len) {
  const int64_t c = x.dim(1), m = w.dim(1), in = x.dim(2), k = w.dim(2);
  Tensor y(DataType::kFloat32, {x.dim(0), m, out_len});
  for (int64_t n = 0; n < x.dim(0); ++n) {
    for (int64_t mo = 0; mo < m; ++mo) {
      for (int64_t o = 0; o < out_len; ++o) {
        double acc = 0;
        for (int64_t kk = 0; kk < k; ++kk) {
          const int64_t num = o + pb - kk * d;
          if (num < 0 || num % s != 0 || num / s >= in) continue;
          for (int64_t ci = 0; ci < c; ++ci) {
            acc += static_cast<double>(x.data<float>()[(n * c + ci) * in + num / s]) *
                   w.data<float>()[(ci * m + mo) * k + kk];
          }
        }
        y.data<float>()[(n * m + mo) * out_len + o] = static_cast<float>(acc);
      }
    }
  }
  return y;
}

constexpr double kCrossCheckTolerance = 1e-4;  // float32 sums in a different order

TEST(ConvTranspose, MatchesGatherFormulation1D) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> pick(1, 3);
  for (int trial = 0; trial < 30; ++trial) {
    const int64_t s = pick(rng), d = pick(rng), k = pick(rng), in = pick(rng) + 1;
    const int64_t pb = pick(rng) - 1, pe = pick(rng) - 1;
    Tensor x = RandomF32({2, pick(rng), in}, &rng);
    Tensor w = RandomF32({x.dim(1), pick(rng), k}, &rng);
    const int64_t out_len = s * (in - 1) + (k - 1) * d + 1 - pb - pe;
    if (out_len < 1) continue;
    ir::Attributes a;
    a.Set("strides", Ints{s});
    a.Set("dilations", Ints{d});
    a.Set("pads", Ints{pb, pe});
    Tensor got = Run1(OpKind::kConvTranspose, a, {&x, &w});
    Tensor want = ConvTransposeGather(x, w, s, d, pb, out_len);
    EXPECT_LE(MaxRelError(got, want), kCrossCheckTolerance) << "trial " << trial;
    EXPECT_GE(MaxRelError(got, want), 0) << "shape mismatch, trial " << trial;
  }
}

}  // namespace
}  // namespace qforge::testing
