#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

ir::Attributes Attrs(std::initializer_list<std::pair<const char*, ir::Attribute>> kv) {
  ir::Attributes a;
  for (const auto& [k, v] : kv) a.Set(k, v);
  return a;
}
using Ints = std::vector<int64_t>;

// 3x3 input 1..9, 2x2 kernel of ones: each output sums a 2x2 window.
TEST(Conv, TwoByTwoOnesWithBias) {
  Tensor x = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = F32({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor b = F32({1}, {1});
  ExpectTensor(Run1(OpKind::kConv, {}, {&x, &w, nullptr}), {1, 1, 2, 2}, {12, 16, 24, 28});
  ExpectTensor(Run1(OpKind::kConv, {}, {&x, &w, &b}), {1, 1, 2, 2}, {13, 17, 25, 29});
}

TEST(Conv, PadsAndStrides) {
  Tensor x = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = F32({1, 1, 2, 2}, {1, 1, 1, 1});
  // Padded to 5x5, windows start at -1 and 1 on each axis.
  auto a = Attrs({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}});
  ExpectTensor(Run1(OpKind::kConv, a, {&x, &w}), {1, 1, 2, 2}, {1, 5, 11, 28});
}

TEST(Conv, AutoPadSameUpperAndLower) {
  Tensor x = F32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = F32({1, 1, 2, 2}, {1, 1, 1, 1});
  // Total pad 1 per axis: SAME_UPPER pads the end, SAME_LOWER the begin.
  ExpectTensor(Run1(OpKind::kConv, Attrs({{"auto_pad", std::string("SAME_UPPER")}}), {&x, &w}), {1, 1, 3, 3},
               {12, 16, 9, 24, 28, 15, 15, 17, 9});
  ExpectTensor(Run1(OpKind::kConv, Attrs({{"auto_pad", std::string("SAME_LOWER")}}), {&x, &w}), {1, 1, 3, 3},
               {1, 3, 5, 5, 12, 16, 11, 24, 28});
  // VALID ignores nothing here: same as no pads.
  ExpectTensor(Run1(OpKind::kConv, Attrs({{"auto_pad", std::string("VALID")}}), {&x, &w}), {1, 1, 2, 2},
               {12, 16, 24, 28});
}

TEST(Conv, DepthwiseGroups) {
  Tensor x = F32({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor w = F32({2, 1, 1, 1}, {10, 100});
  ExpectTensor(Run1(OpKind::kConv, Attrs({{"group", int64_t{2}}}), {&x, &w}), {1, 2, 1, 2},
               {10, 20, 300, 400});
}

TEST(Conv, Dilated1D) {
  Tensor x = F32({1, 1, 5}, {1, 2, 3, 4, 5});
  Tensor w = F32({1, 1, 2}, {1, 1});
  ExpectTensor(Run1(OpKind::kConv, Attrs({{"dilations", Ints{2}}}), {&x, &w}), {1, 1, 3}, {4, 6, 8});
}

TEST(Conv, ThreeD) {
  Tensor x = F32({1, 1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor w = F32({1, 1, 2, 2, 2}, {1, 1, 1, 1, 1, 1, 1, 1});
  ExpectTensor(Run1(OpKind::kConv, {}, {&x, &w}), {1, 1, 1, 1, 1}, {36});
}

TEST(Conv, InferDynamicBatchAndErrors) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 3, 32, 32});
  ir::TensorType w = Type(DataType::kFloat32, {8, 3, 3, 3});
  auto a = Attrs({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}});
  auto r = InferTypes(OpKind::kConv, a, {&x, &w});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 8, 16, 16}));
  // A dynamic spatial dim stays dynamic, the others are computed.
  ir::TensorType xd = Type(DataType::kFloat32, {2, 3, -1, 32});
  r = InferTypes(OpKind::kConv, a, {&xd, &w});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (Ints{2, 8, -1, 16}));

  ir::TensorType w_bad = Type(DataType::kFloat32, {8, 4, 3, 3});
  r = InferTypes(OpKind::kConv, {}, {&x, &w_bad});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(r.status().message().find("node 'op' (Conv)"), std::string::npos) << r.status().message();

  ir::TensorType xi = Type(DataType::kInt32, {1, 3, 8, 8});
  ir::TensorType wi = Type(DataType::kInt32, {8, 3, 3, 3});
  r = InferTypes(OpKind::kConv, {}, {&xi, &wi});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);

  r = InferTypes(OpKind::kConv, Attrs({{"auto_pad", std::string("SAME")}}), {&x, &w});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
  r = InferTypes(OpKind::kConv, Attrs({{"kernel_shape", Ints{5, 5}}}), {&x, &w});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
  r = InferTypes(OpKind::kConv, Attrs({{"strides", Ints{0, 1}}}), {&x, &w});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
  // Kernel larger than the padded input.
  ir::TensorType tiny = Type(DataType::kFloat32, {1, 3, 2, 2});
  r = InferTypes(OpKind::kConv, {}, {&tiny, &w});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
}

// Independent formulation: explicit im2col (N-D, flat index arithmetic)
// followed by a per-group matrix product.
Tensor ConvByIm2col(const Tensor& x, const Tensor& w, const Tensor* b, int64_t group, const Ints& strides,
                    const Ints& dilations, const Ints& pads) {
  const size_t sr = static_cast<size_t>(x.rank() - 2);
  Ints in(x.dims().begin() + 2, x.dims().end()), k(w.dims().begin() + 2, w.dims().end()), out(sr);
  for (size_t i = 0; i < sr; ++i) {
    out[i] = (in[i] + pads[i] + pads[i + sr] - dilations[i] * (k[i] - 1) - 1) / strides[i] + 1;
  }
  const int64_t n_batch = x.dim(0), c = x.dim(1), m = w.dim(0), cg = c / group, mg = m / group;
  int64_t out_size = 1, k_size = 1, in_size = 1;
  for (size_t i = 0; i < sr; ++i) out_size *= out[i], k_size *= k[i], in_size *= in[i];
  Ints ydims = {n_batch, m};
  ydims.insert(ydims.end(), out.begin(), out.end());
  Tensor y(DataType::kFloat32, ydims);
  std::vector<float> cols(static_cast<size_t>(cg * k_size * out_size));
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t g = 0; g < group; ++g) {
      for (int64_t ci = 0; ci < cg; ++ci) {
        for (int64_t kk = 0; kk < k_size; ++kk) {
          for (int64_t o = 0; o < out_size; ++o) {
            int64_t rem_k = kk, rem_o = o, src = 0;
            bool inside = true;
            for (size_t d = sr; d-- > 0;) {  // decompose flat indices, last dim fastest
              const int64_t kd = rem_k % k[d], od = rem_o % out[d];
              rem_k /= k[d];
              rem_o /= out[d];
              const int64_t pos = od * strides[d] - pads[d] + kd * dilations[d];
              if (pos < 0 || pos >= in[d]) inside = false;
              int64_t stride = 1;
              for (size_t e = d + 1; e < sr; ++e) stride *= in[e];
              src += pos * stride;
            }
            cols[static_cast<size_t>((ci * k_size + kk) * out_size + o)] =
                inside ? x.data<float>()[(n * c + g * cg + ci) * in_size + src] : 0.0f;
          }
        }
      }
      for (int64_t mi = 0; mi < mg; ++mi) {
        const int64_t mo = g * mg + mi;
        for (int64_t o = 0; o < out_size; ++o) {
          double acc = b ? b->data<float>()[mo] : 0.0;
          for (int64_t r = 0; r < cg * k_size; ++r) {
            acc += static_cast<double>(w.data<float>()[mo * cg * k_size + r]) *
                   cols[static_cast<size_t>(r * out_size + o)];
          }
          y.data<float>()[(n * m + mo) * out_size + o] = static_cast<float>(acc);
        }
      }
    }
  }
  return y;
}

// Accumulation order differs from the reference kernel; float32 sums of a
// few hundred products of values in [-1, 1] agree to ~1e-5.
constexpr double kCrossCheckTolerance = 1e-4;

TEST(Conv, MatchesIm2colOnRandomShapes) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> pick(0, 2);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t sr = 1 + static_cast<size_t>(trial % 3);
    const int64_t group = 1 + pick(rng);
    const int64_t cg = 1 + pick(rng), mg = 1 + pick(rng);
    Ints xdims = {1 + pick(rng), group * cg}, wdims = {group * mg, cg};
    Ints strides, dilations, pads(2 * sr);
    for (size_t i = 0; i < sr; ++i) {
      const int64_t k = 1 + pick(rng);
      wdims.push_back(k);
      dilations.push_back(1 + pick(rng) % 2);
      strides.push_back(1 + pick(rng));
      pads[i] = pick(rng) % 2;
      pads[i + sr] = pick(rng);
      xdims.push_back(dilations.back() * (k - 1) + 1 + pick(rng) + (sr == 1 ? 3 : 0));
    }
    Tensor x = RandomF32(xdims, &rng), w = RandomF32(wdims, &rng), b = RandomF32({wdims[0]}, &rng);
    const bool with_bias = trial % 2 == 0;
    ir::Attributes a;
    a.Set("group", group);
    a.Set("strides", strides);
    a.Set("dilations", dilations);
    a.Set("pads", pads);
    Tensor got = Run1(OpKind::kConv, a, {&x, &w, with_bias ? &b : nullptr});
    Tensor want = ConvByIm2col(x, w, with_bias ? &b : nullptr, group, strides, dilations, pads);
    EXPECT_LE(MaxRelError(got, want), kCrossCheckTolerance) << "trial " << trial << " x " << x.ShapeString();
    EXPECT_GE(MaxRelError(got, want), 0) << "shape mismatch, trial " << trial;
  }
}

}  // namespace
}  // namespace qforge::testing
