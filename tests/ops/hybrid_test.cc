// The hybrid (dynamic-range) Conv, Gemm and MatMul: float32 activations
// quantized per inference as ONNX DynamicQuantizeLinear does, int8 weights,
// int32 accumulation, float32 output float(acc) * (S_x * S_w[c]) + bias[c].
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "int_linear_test_util.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

// Float rounding of the float reference (K products summed in float32) and of
// the hybrid output's three float operations, relative to the magnitudes
// involved; far below the quantization error bound it is added to.
constexpr double kFloatSlack = 1e-5;

// DynamicQuantizeLinear's scale of x (uint8 range).
float DynamicScale(const Tensor& x) {
  float lo = 0.0f, hi = 0.0f;
  for (float v : x.span<float>()) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return (hi - lo) / 255.0f;
}

float MaxAbs(const Tensor& t) {
  float m = 0.0f;
  for (float v : t.span<float>()) m = std::max(m, std::fabs(v));
  return m;
}

// Each of the K products of an output differs from the float one by at most
// |x - x_hat| * |w| <= (S_x / 2) * max|w| (x_hat = S_x * (q - Z) is x rounded
// to the nearest step; the range [lo, hi] always fits in [0, 255] after the
// zero point's nudge, so nothing is clamped by more than half a step).
void ExpectWithinQuantizationError(const Tensor& hybrid, const Tensor& reference, int64_t k, float x_scale,
                                   float max_abs_w) {
  ASSERT_EQ(hybrid.dtype(), DataType::kFloat32);
  ASSERT_EQ(hybrid.dims(), reference.dims());
  const double bound = static_cast<double>(k) * x_scale / 2.0 * max_abs_w;
  double worst = 0.0;
  for (int64_t i = 0; i < hybrid.num_elements(); ++i) {
    const double got = hybrid.data<float>()[i], want = reference.data<float>()[i];
    const double err = std::fabs(got - want);
    worst = std::max(worst, err);
    ASSERT_LE(err, bound + kFloatSlack * (1.0 + k * max_abs_w))
        << "element " << i << ": " << got << " vs " << want;
  }
  // The bound is not vacuous: the hybrid result is close, not just finite.
  EXPECT_LT(worst, bound + 1e-3);
}

TEST(Hybrid, GemmGoldenExact) {
  // x range [-1, 2]: S = 3 / 255, Z = round(85.0) = 85; q = [0, 85, 127, 255]
  // (0.5 / S = 42.5 rounds half to even to 42: 127, not 128).
  Tensor x = F32({1, 4}, {-1.0, 0.0, 0.5, 2.0});
  Tensor w =
      QTensor(DataType::kInt8, {4, 2}, {10, -20, 127, 5, -64, 100, 33, -127}, {0.01f, 0.02f}, {0, 0}, 1);
  Tensor b = F32({2}, {0.5, -0.25});
  Result<Tensor> y = RunDeclared(OpKind::kGemm, {}, {&x, &w, &b}, DataType::kFloat32, {});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ASSERT_EQ(y->dtype(), DataType::kFloat32);
  // q - Z = [-85, 0, 42, 170]: acc = [-850 - 2688 + 5610, 1700 + 4200 - 21590] = [2072, -15690].
  const float s_x = 3.0f / 255.0f;
  EXPECT_EQ(y->data<float>()[0], 2072.0f * (s_x * 0.01f) + 0.5f);
  EXPECT_EQ(y->data<float>()[1], -15690.0f * (s_x * 0.02f) + -0.25f);
  EXPECT_FLOAT_EQ(y->data<float>()[0], 0.7437647f);
  EXPECT_FLOAT_EQ(y->data<float>()[1], -3.9417648f);
  // The same through MatMul (no bias) and a 1x1 Conv (x as 4 channels).
  Result<Tensor> mm = RunDeclared(OpKind::kMatMul, {}, {&x, &w}, DataType::kFloat32, {});
  ASSERT_TRUE(mm.ok()) << mm.status().ToString();
  EXPECT_EQ(mm->data<float>()[0], 2072.0f * (s_x * 0.01f));
  EXPECT_EQ(mm->data<float>()[1], -15690.0f * (s_x * 0.02f));
  Tensor xc = F32({1, 4, 1, 1}, {-1.0, 0.0, 0.5, 2.0});
  Tensor wc = QTensor(DataType::kInt8, {2, 4, 1, 1}, {10, 127, -64, 33, -20, 5, 100, -127}, {0.01f, 0.02f},
                      {0, 0}, 0);
  Result<Tensor> conv = RunDeclared(OpKind::kConv, {}, {&xc, &wc, &b}, DataType::kFloat32, {});
  ASSERT_TRUE(conv.ok()) << conv.status().ToString();
  EXPECT_EQ(Values(*conv), Values(*y));
}

TEST(Hybrid, AllZeroInputGivesTheBias) {
  // The range is empty (the formula's S would be 0; the kernel uses S = 1 as
  // ONNX Runtime does): every q equals Z = 0, the accumulators are 0 and the
  // output is exactly the bias; nothing divides by zero.
  std::mt19937 rng(3);
  Tensor x = F32({2, 3, 4, 4}, std::vector<double>(96, 0.0));
  Tensor w =
      QTensor(DataType::kInt8, {2, 3, 3, 3}, RandomInts(54, -127, 127, &rng), {0.01f, 0.02f}, {0, 0}, 0);
  Tensor b = F32({2}, {0.375, -1.5});
  ir::Attributes pads;
  pads.Set("pads", Ints{1, 1, 1, 1});
  Result<Tensor> y = RunDeclared(OpKind::kConv, pads, {&x, &w, &b}, DataType::kFloat32, {});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ASSERT_EQ(y->dims(), (Ints{2, 2, 4, 4}));
  for (int64_t i = 0; i < y->num_elements(); ++i) {
    const float want = (i / 16) % 2 == 0 ? 0.375f : -1.5f;
    ASSERT_EQ(y->data<float>()[i], want) << i;
    ASSERT_FALSE(std::isnan(y->data<float>()[i]));
  }
  Tensor xg = F32({3, 5}, std::vector<double>(15, 0.0));
  Tensor wg = QTensor(DataType::kInt8, {5, 2}, RandomInts(10, -127, 127, &rng), {0.05f}, {0});
  Result<Tensor> mm = RunDeclared(OpKind::kMatMul, {}, {&xg, &wg}, DataType::kFloat32, {});
  ASSERT_TRUE(mm.ok()) << mm.status().ToString();
  EXPECT_EQ(Values(*mm), std::vector<double>(6, 0.0));
}

// Random int8 weights with per-channel (or per-tensor) scales along `axis`.
Tensor RandomWeights(const Ints& dims, int64_t channels, int axis, std::mt19937* rng) {
  std::vector<float> scale;
  for (int64_t c = 0; c < channels; ++c) scale.push_back(RandomScale(0.002f, 0.02f, rng));
  return QTensor(DataType::kInt8, dims, RandomInts(Count(dims), -127, 127, rng), scale,
                 std::vector<int64_t>(scale.size(), 0), channels > 1 ? axis : -1);
}

// Random float input in [offset - 1, offset + 1) (an offset makes the range
// asymmetric, so Z is far from the middle).
Tensor RandomInput(const Ints& dims, float offset, std::mt19937* rng) {
  Tensor x = RandomF32(dims, rng);
  for (float& v : x.span<float>()) v += offset;
  return x;
}

TEST(Hybrid, ConvWithinInputQuantizationError) {
  std::mt19937 rng(5);
  struct Case {
    Ints x_dims;
    Ints w_dims;
    ir::Attributes attrs;
    bool per_channel;
  };
  ir::Attributes strided;
  strided.Set("strides", Ints{2, 1});
  strided.Set("pads", Ints{1, 0, 2, 1});
  strided.Set(quant::kActivationMin, 0.0f);  // applied by RunKernel to both results
  ir::Attributes depthwise;
  depthwise.Set("group", int64_t{5});
  depthwise.Set("dilations", Ints{2, 2});
  depthwise.Set("pads", Ints{2, 2, 2, 2});
  const std::vector<Case> cases = {
      {{2, 3, 9, 7}, {6, 3, 3, 3}, strided, true},
      {{1, 5, 8, 8}, {5, 1, 3, 3}, depthwise, true},
      {{2, 13, 3, 3}, {9, 13, 1, 1}, {}, false},
      {{1, 4, 11}, {3, 4, 5}, {}, true},
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    for (float offset : {0.0f, 0.7f, -0.9f}) {
      SCOPED_TRACE("case " + std::to_string(ci) + " offset " + std::to_string(offset));
      const Case& tc = cases[ci];
      Tensor x = RandomInput(tc.x_dims, offset, &rng);
      Tensor w = RandomWeights(tc.w_dims, tc.per_channel ? tc.w_dims[0] : 1, 0, &rng);
      Tensor b = RandomF32({tc.w_dims[0]}, &rng);
      Tensor wf = Dequantized(w);
      Result<Tensor> want = RunOp(OpKind::kConv, {&x, &wf, &b}, tc.attrs);
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      Result<Tensor> got = RunDeclared(OpKind::kConv, tc.attrs, {&x, &w, &b}, DataType::kFloat32, {});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      const int64_t k = Count(tc.w_dims) / tc.w_dims[0];  // terms per output: C/group * kernel size
      ExpectWithinQuantizationError(*got, *want, k, DynamicScale(x), MaxAbs(wf));
    }
  }
}

TEST(Hybrid, GemmAndMatMulWithinInputQuantizationError) {
  std::mt19937 rng(9);
  for (bool trans_b : {false, true}) {
    for (float offset : {0.0f, 0.5f}) {
      SCOPED_TRACE(std::string("gemm transB ") + (trans_b ? "1" : "0"));
      const int64_t m = 6, k = 37, n = 10;
      Tensor a = RandomInput({m, k}, offset, &rng);
      Tensor b = RandomWeights(trans_b ? Ints{n, k} : Ints{k, n}, n, trans_b ? 0 : 1, &rng);
      Tensor c = RandomF32({1, n}, &rng);
      ir::Attributes attrs;
      attrs.Set("transB", int64_t{trans_b ? 1 : 0});
      Tensor bf = Dequantized(b);
      Result<Tensor> want = RunOp(OpKind::kGemm, {&a, &bf, &c}, attrs);
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      Result<Tensor> got = RunDeclared(OpKind::kGemm, attrs, {&a, &b, &c}, DataType::kFloat32, {});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ExpectWithinQuantizationError(*got, *want, k, DynamicScale(a), MaxAbs(bf));
    }
  }
  for (const auto& [a_dims, b_dims] : std::vector<std::pair<Ints, Ints>>{
           {{2, 3, 5, 24}, {24, 7}}, {{24}, {24, 5}}, {{3, 4, 24}, {3, 24, 6}}, {{4, 24}, {24}}}) {
    SCOPED_TRACE("matmul " + DimsToString(a_dims) + " x " + DimsToString(b_dims));
    Tensor a = RandomInput(a_dims, 0.3f, &rng);
    const int axis = static_cast<int>(b_dims.size()) - 1;
    Tensor b = RandomWeights(b_dims, b_dims.size() > 1 ? b_dims.back() : 1, axis, &rng);
    Tensor bf = Dequantized(b);
    Result<Tensor> want = RunOp(OpKind::kMatMul, {&a, &bf});
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    Result<Tensor> got = RunDeclared(OpKind::kMatMul, {}, {&a, &b}, DataType::kFloat32, {});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectWithinQuantizationError(*got, *want, 24, DynamicScale(a), MaxAbs(bf));
  }
}

TEST(Hybrid, InferAndErrors) {
  ir::TensorType x = Type(DataType::kFloat32, {1, 3, 8, 8});
  ir::TensorType w = Type(DataType::kInt8, {4, 3, 3, 3});
  w.quant = {{0.01f}, {0}, -1};
  ir::TensorType b = Type(DataType::kFloat32, {4});
  auto r = InferTypes(OpKind::kConv, {}, {&x, &w, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kFloat32);
  EXPECT_EQ(r->at(0).dims, (Ints{1, 4, 6, 6}));

  // An int32 bias belongs to the integer form.
  ir::TensorType bi = Type(DataType::kInt32, {4});
  EXPECT_EQ(InferTypes(OpKind::kConv, {}, {&x, &w, &bi}).status().code(), StatusCode::kUnsupported);
  // Weights without parameters, or asymmetric ones.
  ir::TensorType raw = Type(DataType::kInt8, {4, 3, 3, 3});
  EXPECT_EQ(InferTypes(OpKind::kConv, {}, {&x, &raw}).status().code(), StatusCode::kUnsupported);
  ir::TensorType asym = w;
  asym.quant.zero_point = {1};
  EXPECT_EQ(InferTypes(OpKind::kConv, {}, {&x, &asym}).status().code(), StatusCode::kUnsupported);
  // float64 activations have no hybrid form.
  ir::TensorType xd = Type(DataType::kFloat64, {1, 3, 8, 8});
  EXPECT_EQ(InferTypes(OpKind::kConv, {}, {&xd, &w}).status().code(), StatusCode::kUnsupported);
  // Gemm: alpha must be 1 in the hybrid form too.
  ir::TensorType a2 = Type(DataType::kFloat32, {2, 8});
  ir::TensorType b2 = Type(DataType::kInt8, {8, 3});
  b2.quant = {{0.01f}, {0}, -1};
  ir::Attributes alpha;
  alpha.Set("alpha", 0.5f);
  EXPECT_EQ(InferTypes(OpKind::kGemm, alpha, {&a2, &b2}).status().code(), StatusCode::kUnsupported);
  auto g = InferTypes(OpKind::kGemm, {}, {&a2, &b2});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->at(0).dtype, DataType::kFloat32);
}

}  // namespace
}  // namespace qforge::testing
