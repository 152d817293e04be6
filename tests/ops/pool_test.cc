#include <gtest/gtest.h>

#include <limits>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

ir::Attributes Window(Ints kernel, Ints strides = {}, Ints pads = {}) {
  ir::Attributes a;
  a.Set("kernel_shape", kernel);
  if (!strides.empty()) a.Set("strides", strides);
  if (!pads.empty()) a.Set("pads", pads);
  return a;
}

TEST(MaxPool, Basic2D) {
  Tensor x = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  ExpectTensor(Run1(OpKind::kMaxPool, Window({2, 2}), {&x}), {1, 1, 2, 2}, {5, 6, 8, 9});
}

TEST(MaxPool, PaddingNeverWins) {
  // All values negative: a zero pad would win if pads took part.
  Tensor x = F32({1, 1, 3, 3}, {-1, -2, -3, -4, -5, -6, -7, -8, -9});
  ExpectTensor(Run1(OpKind::kMaxPool, Window({2, 2}, {2, 2}, {1, 1, 1, 1}), {&x}), {1, 1, 2, 2},
               {-1, -2, -4, -5});
}

TEST(MaxPool, Dilations1D) {
  Tensor x = F32({1, 1, 5}, {1, 5, 2, 4, 3});
  ir::Attributes a = Window({2});
  a.Set("dilations", Ints{2});
  ExpectTensor(Run1(OpKind::kMaxPool, a, {&x}), {1, 1, 3}, {2, 5, 3});
}

TEST(MaxPool, Uint8) {
  Tensor x = MakeTensor(DataType::kUInt8, {1, 1, 2, 2}, {7, 250, 3, 9});
  ExpectTensor(Run1(OpKind::kMaxPool, Window({2, 2}), {&x}), {1, 1, 1, 1}, {250});
}

TEST(AveragePool, PadsWithAndWithoutCountIncludePad) {
  Tensor x = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  ir::Attributes a = Window({2, 2}, {2, 2}, {1, 1, 1, 1});
  // Windows hold {1}, {2,3}, {4,7}, {5,6,8,9}.
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 2, 2}, {1, 2.5, 5.5, 7});
  a.Set("count_include_pad", int64_t{1});
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 2, 2}, {0.25, 1.25, 2.75, 7});
}

// A hostile window (the fuzzer's: 11M taps over a 6-wide input, padded by
// 5.5M on each side) costs what the input holds: the loops visit only the
// taps inside it, and count_include_pad counts the rest arithmetically. The
// old tap-by-tap loops took minutes here; the values are the brute-force ones.
TEST(AveragePool, HugeWindowOverSmallInputVisitsOnlyTheInput) {
  Tensor x = F32({1, 1, 1, 6}, {1, 2, 3, 4, 5, 6});
  const int64_t k = 11141122, pad = 5570560, kh = 1001, pad_h = 500;
  // 3 outputs x 1001 x 11M taps: minutes for a loop over every tap.
  ir::Attributes a = Window({kh, k}, {1, 2}, {pad_h, pad, pad_h, pad});
  // Output width (6 + 2 * pad - k) / 2 + 1 = 3; every window covers the whole input.
  ExpectTensor(Run1(OpKind::kMaxPool, a, {&x}), {1, 1, 1, 3}, {6, 6, 6});
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 1, 3}, {3.5, 3.5, 3.5});
  a.Set("count_include_pad", int64_t{1});
  // Every tap of every window lies inside input + pads: the sum 21 over kh * k taps.
  const float mean = static_cast<float>(21.0 / (static_cast<double>(kh) * k));
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 1, 3}, {mean, mean, mean});
}

TEST(AveragePool, CeilMode) {
  Tensor x = F32({1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  ir::Attributes a = Window({3, 3}, {2, 2});
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 1, 1}, {6});
  a.Set("ceil_mode", int64_t{1});
  // The extra windows hang over the end: only their in-bounds values count.
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 2, 2}, {6, 7.5, 12, 13.5});
}

// ceil_mode would add a fourth window starting at 6, past the input and its
// begin pad; like PyTorch and ONNX Runtime it is dropped.
TEST(MaxPool, CeilModeDropsWindowStartingInEndPad) {
  Tensor x = F32({1, 1, 5}, {1, 2, 3, 4, 5});
  ir::Attributes a = Window({2}, {2}, {1, 1});
  a.Set("ceil_mode", int64_t{1});
  ExpectTensor(Run1(OpKind::kMaxPool, a, {&x}), {1, 1, 3}, {1, 3, 5});
}

TEST(AveragePool, SameUpper) {
  Tensor x = F32({1, 1, 3}, {1, 2, 4});
  ir::Attributes a = Window({2});
  a.Set("auto_pad", std::string("SAME_UPPER"));
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 3}, {1.5, 3, 4});
  a.Set("auto_pad", std::string("SAME_LOWER"));
  ExpectTensor(Run1(OpKind::kAveragePool, a, {&x}), {1, 1, 3}, {1, 1.5, 3});
}

TEST(GlobalPool, AverageAndMax) {
  Tensor x = F32({1, 2, 2, 2}, {1, 2, 3, 4, -5, -6, -7, -8});
  ExpectTensor(Run1(OpKind::kGlobalAveragePool, {}, {&x}), {1, 2, 1, 1}, {2.5, -6.5});
  ExpectTensor(Run1(OpKind::kGlobalMaxPool, {}, {&x}), {1, 2, 1, 1}, {4, -5});
  Tensor x3 = F32({1, 1, 1, 2, 2}, {1, 2, 3, 6});
  ExpectTensor(Run1(OpKind::kGlobalAveragePool, {}, {&x3}), {1, 1, 1, 1, 1}, {3});
}

TEST(Pool, InferShapesAndErrors) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 16, 112, 112});
  ir::Attributes a = Window({3, 3}, {2, 2}, {1, 1, 1, 1});
  auto r = InferTypes(OpKind::kMaxPool, a, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 16, 56, 56}));
  // ceil_mode: (5 - 2) / 2 = 1.5 -> 2 windows + 1.
  ir::TensorType x5 = Type(DataType::kFloat32, {1, 1, 5});
  ir::Attributes c = Window({2}, {2});
  c.Set("ceil_mode", int64_t{1});
  r = InferTypes(OpKind::kAveragePool, c, {&x5});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (Ints{1, 1, 3}));
  r = InferTypes(OpKind::kGlobalMaxPool, {}, {&x});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 16, 1, 1}));

  ir::Attributes storage = a;
  storage.Set("storage_order", int64_t{1});
  EXPECT_EQ(InferTypes(OpKind::kMaxPool, storage, {&x}).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(InferTypes(OpKind::kMaxPool, {}, {&x}).status().code(), StatusCode::kInvalidModel);  // no kernel
  EXPECT_EQ(InferTypes(OpKind::kMaxPool, Window({3}), {&x}).status().code(), StatusCode::kInvalidModel);
  ir::TensorType xi = Type(DataType::kInt32, {1, 1, 4, 4});
  EXPECT_EQ(InferTypes(OpKind::kAveragePool, Window({2, 2}), {&xi}).status().code(),
            StatusCode::kUnsupported);
}

// Independent N-D formulation: walk every kernel offset with flat index
// arithmetic and collect the in-bounds values of the window.
Tensor NaivePool(const Tensor& x, const Ints& k, const Ints& s, const Ints& pads, bool is_max) {
  const size_t sr = k.size();
  Ints in(x.dims().begin() + 2, x.dims().end()), out(sr);
  for (size_t i = 0; i < sr; ++i) out[i] = (in[i] + pads[i] + pads[i + sr] - k[i]) / s[i] + 1;
  Ints ydims = {x.dim(0), x.dim(1)};
  ydims.insert(ydims.end(), out.begin(), out.end());
  Tensor y(DataType::kFloat32, ydims);
  int64_t in_size = 1, out_size = 1, k_size = 1;
  for (size_t i = 0; i < sr; ++i) in_size *= in[i], out_size *= out[i], k_size *= k[i];
  for (int64_t plane = 0; plane < x.dim(0) * x.dim(1); ++plane) {
    for (int64_t o = 0; o < out_size; ++o) {
      std::vector<float> vals;
      for (int64_t kk = 0; kk < k_size; ++kk) {
        int64_t ro = o, rk = kk, src = 0, stride = 1;
        bool inside = true;
        for (size_t d = sr; d-- > 0;) {
          const int64_t pos = (ro % out[d]) * s[d] - pads[d] + rk % k[d];
          ro /= out[d];
          rk /= k[d];
          inside = inside && pos >= 0 && pos < in[d];
          src += pos * stride;
          stride *= in[d];
        }
        if (inside) vals.push_back(x.data<float>()[plane * in_size + src]);
      }
      double r = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
      for (float v : vals) r = is_max ? std::max(r, static_cast<double>(v)) : r + v;
      if (!is_max) r /= static_cast<double>(vals.size());
      y.data<float>()[plane * out_size + o] = static_cast<float>(r);
    }
  }
  return y;
}

constexpr double kCrossCheckTolerance = 1e-6;  // averages of <= 27 floats in another order

TEST(Pool, MatchesNaiveOnRandomShapes) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pick(1, 3);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t sr = 1 + static_cast<size_t>(trial % 3);
    Ints xdims = {pick(rng), pick(rng)}, k, s, pads(2 * sr);
    for (size_t i = 0; i < sr; ++i) {
      k.push_back(pick(rng));
      s.push_back(pick(rng));
      pads[i] = pick(rng) % k.back();  // pads smaller than the kernel, as the spec requires
      pads[i + sr] = pick(rng) % k.back();
      xdims.push_back(k.back() + pick(rng));
    }
    Tensor x = RandomF32(xdims, &rng);
    ir::Attributes a = Window(k, s, pads);
    for (bool is_max : {true, false}) {
      Tensor got = Run1(is_max ? OpKind::kMaxPool : OpKind::kAveragePool, a, {&x});
      Tensor want = NaivePool(x, k, s, pads, is_max);
      EXPECT_LE(MaxRelError(got, want), kCrossCheckTolerance) << "trial " << trial << " max " << is_max;
      EXPECT_GE(MaxRelError(got, want), 0) << "shape mismatch, trial " << trial;
    }
  }
}

}  // namespace
}  // namespace qforge::testing
