// The integer reference Gemm and MatMul (QUANT_SPEC 3): hand-computed golden
// cases, randomized cross-checks against the float ops on dequantized
// operands, shape inference of the integer form, and its errors.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "int_linear_test_util.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

// Golden values: acc = bias + sum((q_a - Z_a) * (q_b - Z_b)), then
// q = clamp(Z_y + MultiplyByQuantizedMultiplier(acc, M), limits), checked
// by hand and by an independent Python transcription of QUANT_SPEC 3.
TEST(IntGemm, GoldenUint8TransBPerChannelWithReluSix) {
  Tensor a = QTensor(DataType::kUInt8, {2, 4}, {128, 200, 90, 255, 0, 140, 128, 60}, {0.05f}, {128});
  const std::vector<float> w_scale = {0.01f, 0.02f, 0.04f};
  // transB: B is [N, K], quantized along axis 0 (the output columns).
  Tensor b = QTensor(DataType::kInt8, {3, 4}, {10, -20, 30, -40, 127, -127, 64, -64, 5, 5, 5, 5}, w_scale,
                     {0, 0, 0}, 0);
  Tensor c = IntBias({12000, -200, 0}, 0.05f, w_scale);
  ir::Attributes attrs;
  attrs.Set("transB", int64_t{1});
  attrs.Set(quant::kActivationMin, 0.0f);
  attrs.Set(quant::kActivationMax, 6.0f);
  // S_y = 0.05, Z_y = 20: the clamp [0, 6] is q in [20, 140].
  Result<Tensor> y = RunDeclared(OpKind::kGemm, attrs, {&a, &b, &c}, DataType::kUInt8, {{0.05f}, {20}, -1});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->dims(), (Ints{2, 3}));
  // Row 0: a - 128 = [0, 72, -38, 127]; acc = [12000 - 7660, -200 - 19704, 805] =
  // [4340, -19904, 805]; M = S_w[j]: 43.4 -> 43 + 20 = 63, far below 0 -> 20, 32.2 -> 52.
  // Row 1: acc = [13200, -13628, -920]: 132 + 20 = 152 -> 140 (the 6.0 bound), 20, 20.
  EXPECT_EQ(Values(*y), (std::vector<double>{63, 20, 52, 140, 20, 20}));
}

TEST(IntMatMul, GoldenInt8ActivationTimesActivationSaturates) {
  // B is a second activation: per tensor, non-zero zero point.
  Tensor a = QTensor(DataType::kInt8, {2, 3}, {10, -3, 50, -128, 127, 0}, {0.1f}, {-3});
  Tensor b = QTensor(DataType::kInt8, {3, 2}, {4, 14, -20, 100, 60, 4}, {0.2f}, {4});
  // Centered: a = [[13, 0, 53], [-125, 130, 3]], b = [[0, 10], [-24, 96], [56, 0]];
  // acc = [[2968, 130], [-2952, 11230]]; M = 0.1 * 0.2 / 0.25 = 0.08:
  // [237.4 -> 127, 10.4 -> 10, -236.2 -> -128, 898.4 -> 127].
  Result<Tensor> y = RunDeclared(OpKind::kMatMul, {}, {&a, &b}, DataType::kInt8, {{0.25f}, {0}, -1});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(Values(*y), (std::vector<double>{127, 10, -128, 127}));
}

TEST(IntMatMul, GoldenPerColumnWeightsMultiplierAboveOne) {
  Tensor a = QTensor(DataType::kInt8, {1, 2}, {3, -1}, {1.0f}, {1});
  Tensor b = QTensor(DataType::kInt8, {2, 2}, {5, -7, 2, 9}, {0.5f, 0.125f}, {0, 0}, 1);
  // Centered a = [2, -2]; acc = [10 - 4, -14 - 18] = [6, -32]; S_y = 0.25:
  // M = [2, 0.5] -> [12, -16] + Z_y 3 = [15, -13].
  Result<Tensor> y = RunDeclared(OpKind::kMatMul, {}, {&a, &b}, DataType::kInt8, {{0.25f}, {3}, -1});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(Values(*y), (std::vector<double>{15, -13}));
}

struct GemmCase {
  std::string name;
  DataType dtype;
  int64_t m, k, n;
  bool trans_b, per_channel, bias;
  ir::Attributes extra;  // fused activation
};

TEST(IntGemm, RandomizedWithinOneStepOfFloat) {
  std::mt19937 rng(7);
  ir::Attributes relu;
  relu.Set(quant::kActivationMin, 0.0f);
  const std::vector<GemmCase> cases = {
      {"int8_transb_per_channel", DataType::kInt8, 5, 19, 11, true, true, true, {}},
      {"uint8_per_tensor_no_bias", DataType::kUInt8, 3, 33, 7, false, false, false, {}},
      {"uint8_relu", DataType::kUInt8, 2, 64, 13, false, true, true, relu},
      {"int8_single_row", DataType::kInt8, 1, 9, 1, true, true, true, relu},
  };
  for (const GemmCase& tc : cases) {
    for (int trial = 0; trial < 3; ++trial) {
      SCOPED_TRACE(tc.name + " trial " + std::to_string(trial));
      const quant::QuantLimits lim = quant::LimitsOf(tc.dtype).value();
      const float a_scale = RandomScale(0.01f, 0.1f, &rng);
      const int64_t a_zero = trial == 0 ? lim.qmax : RandomInts(1, lim.qmin, lim.qmax, &rng)[0];
      Tensor a = QTensor(tc.dtype, {tc.m, tc.k}, RandomInts(tc.m * tc.k, lim.qmin, lim.qmax, &rng), {a_scale},
                         {a_zero});
      std::vector<float> w_scale;
      for (int64_t c = 0; c < (tc.per_channel ? tc.n : 1); ++c)
        w_scale.push_back(RandomScale(0.002f, 0.02f, &rng));
      const Ints b_dims = tc.trans_b ? Ints{tc.n, tc.k} : Ints{tc.k, tc.n};
      Tensor b = QTensor(DataType::kInt8, b_dims, RandomInts(tc.k * tc.n, -127, 127, &rng), w_scale,
                         std::vector<int64_t>(w_scale.size(), 0), tc.per_channel ? (tc.trans_b ? 0 : 1) : -1);
      Tensor c = IntBias(RandomInts(tc.n, -5000, 5000, &rng), a_scale, w_scale);
      ir::Attributes attrs = tc.extra;
      attrs.Set("transB", int64_t{tc.trans_b ? 1 : 0});

      Tensor af = Dequantized(a), bf = Dequantized(b), cf = Dequantized(c);
      Result<Tensor> yf = RunOp(OpKind::kGemm, {&af, &bf, tc.bias ? &cf : nullptr}, attrs);
      ASSERT_TRUE(yf.ok()) << yf.status().ToString();
      const QuantParams out = OutputParamsFor(*yf, tc.dtype);
      Result<Tensor> y = RunDeclared(OpKind::kGemm, attrs, {&a, &b, tc.bias ? &c : nullptr}, tc.dtype, out);
      ASSERT_TRUE(y.ok()) << y.status().ToString();
      EXPECT_EQ(y->dtype(), tc.dtype);
      ExpectWithinSteps(*y, *yf, attrs, 1);
    }
  }
}

struct MatMulCase {
  std::string name;
  DataType dtype;
  Ints a_dims, b_dims;
  bool b_activation;  // B a per-tensor activation of A's dtype (else int8 weights)
  bool per_channel;
};

TEST(IntMatMul, RandomizedWithinOneStepOfFloat) {
  std::mt19937 rng(11);
  const std::vector<MatMulCase> cases = {
      {"batched_a_weights_per_column", DataType::kUInt8, {2, 3, 5, 9}, {9, 7}, false, true},
      {"vector_a", DataType::kInt8, {9}, {9, 6}, false, true},
      {"vector_b_per_tensor", DataType::kInt8, {4, 9}, {9}, false, false},
      {"activation_b_broadcast", DataType::kInt8, {2, 3, 5, 9}, {2, 1, 9, 4}, true, false},
      {"uint8_activations", DataType::kUInt8, {3, 17}, {17, 10}, true, false},
      {"batched_weights", DataType::kInt8, {4, 2, 12}, {4, 12, 3}, false, true},
  };
  for (const MatMulCase& tc : cases) {
    for (int trial = 0; trial < 3; ++trial) {
      SCOPED_TRACE(tc.name + " trial " + std::to_string(trial));
      const quant::QuantLimits lim = quant::LimitsOf(tc.dtype).value();
      const float a_scale = RandomScale(0.01f, 0.1f, &rng);
      const int64_t a_zero = RandomInts(1, lim.qmin, lim.qmax, &rng)[0];
      Tensor a = QTensor(tc.dtype, tc.a_dims, RandomInts(Count(tc.a_dims), lim.qmin, lim.qmax, &rng),
                         {a_scale}, {a_zero});
      Tensor b;
      if (tc.b_activation) {
        b = QTensor(tc.dtype, tc.b_dims, RandomInts(Count(tc.b_dims), lim.qmin, lim.qmax, &rng),
                    {RandomScale(0.01f, 0.1f, &rng)},
                    {static_cast<int64_t>(RandomInts(1, lim.qmin, lim.qmax, &rng)[0])});
      } else {
        const int64_t n = tc.b_dims.back();
        std::vector<float> w_scale;
        for (int64_t c = 0; c < (tc.per_channel ? n : 1); ++c)
          w_scale.push_back(RandomScale(0.002f, 0.02f, &rng));
        b = QTensor(DataType::kInt8, tc.b_dims, RandomInts(Count(tc.b_dims), -127, 127, &rng), w_scale,
                    std::vector<int64_t>(w_scale.size(), 0),
                    tc.per_channel ? static_cast<int>(tc.b_dims.size()) - 1 : -1);
      }
      Tensor af = Dequantized(a), bf = Dequantized(b);
      Result<Tensor> yf = RunOp(OpKind::kMatMul, {&af, &bf});
      ASSERT_TRUE(yf.ok()) << yf.status().ToString();
      const QuantParams out = OutputParamsFor(*yf, tc.dtype);
      Result<Tensor> y = RunDeclared(OpKind::kMatMul, {}, {&a, &b}, tc.dtype, out);
      ASSERT_TRUE(y.ok()) << y.status().ToString();
      EXPECT_EQ(y->dtype(), tc.dtype);
      ExpectWithinSteps(*y, *yf, {}, 1);
    }
  }
}

TEST(IntGemmMatMul, InferOutputDtype) {
  ir::TensorType a = Type(DataType::kUInt8, {ir::kDynamicDim, 8});
  a.quant = {{0.1f}, {128}, -1};
  ir::TensorType b = Type(DataType::kInt8, {8, 4});
  b.quant = {{0.01f, 0.02f, 0.03f, 0.04f}, {0, 0, 0, 0}, 1};
  auto r = InferTypes(OpKind::kMatMul, {}, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kUInt8);
  EXPECT_EQ(r->at(0).dims, (Ints{ir::kDynamicDim, 4}));
  r = InferTypes(OpKind::kGemm, {}, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kUInt8);
  // Gemm with transB quantizes B along axis 0; axis 1 is then the reduction axis.
  ir::Attributes trans_b;
  trans_b.Set("transB", int64_t{1});
  ir::TensorType bt = Type(DataType::kInt8, {4, 8});
  bt.quant = {{0.01f, 0.02f, 0.03f, 0.04f}, {0, 0, 0, 0}, 0};
  EXPECT_TRUE(InferTypes(OpKind::kGemm, trans_b, {&a, &bt}).ok());
  EXPECT_EQ(InferTypes(OpKind::kGemm, {}, {&a, &bt}).status().code(), StatusCode::kUnsupported);
}

TEST(IntGemmMatMul, Errors) {
  Tensor a = QTensor(DataType::kInt8, {1, 2}, {1, 2}, {0.5f}, {0});
  Tensor b = QTensor(DataType::kInt8, {2, 2}, {1, 2, 3, 4}, {0.25f}, {0});
  const QuantParams out{{0.5f}, {0}, -1};
  ASSERT_TRUE(RunDeclared(OpKind::kGemm, {}, {&a, &b}, DataType::kInt8, out).ok());

  Result<Tensor> no_params = RunDeclared(OpKind::kMatMul, {}, {&a, &b}, DataType::kInt8, {});
  ASSERT_FALSE(no_params.ok());
  EXPECT_NE(no_params.status().message().find("no quantization parameters"), std::string::npos)
      << no_params.status().message();
  EXPECT_EQ(RunDeclared(OpKind::kGemm, {}, {&a, &b}, DataType::kInt8, {}).status().code(),
            StatusCode::kInvalidArgument);

  for (const char* attr : {"alpha", "beta"}) {
    ir::Attributes scaled;
    scaled.Set(attr, 2.0f);
    EXPECT_EQ(RunDeclared(OpKind::kGemm, scaled, {&a, &b}, DataType::kInt8, out).status().code(),
              StatusCode::kUnsupported)
        << attr;
  }
  ir::Attributes trans_a;
  trans_a.Set("transA", int64_t{1});
  Tensor at = QTensor(DataType::kInt8, {2, 1}, {1, 2}, {0.5f}, {0});
  EXPECT_EQ(RunDeclared(OpKind::kGemm, trans_a, {&at, &b}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);

  // A uint8 A with an int8 B of non-zero zero point: neither a weight (must be
  // symmetric) nor an activation of A's dtype.
  Tensor au = QTensor(DataType::kUInt8, {1, 2}, {1, 2}, {0.5f}, {128});
  Tensor b_zp = QTensor(DataType::kInt8, {2, 2}, {1, 2, 3, 4}, {0.25f}, {3});
  Result<Tensor> zp = RunDeclared(OpKind::kMatMul, {}, {&au, &b_zp}, DataType::kUInt8, out);
  ASSERT_FALSE(zp.ok());
  EXPECT_EQ(zp.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(zp.status().message().find("zero point 3"), std::string::npos) << zp.status().message();
  EXPECT_EQ(RunDeclared(OpKind::kGemm, {}, {&a, &b_zp}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);

  // int8 A with a float B.
  Tensor bf = F32({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(RunDeclared(OpKind::kMatMul, {}, {&a, &bf}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(RunDeclared(OpKind::kGemm, {}, {&a, &bf}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);

  // An int32 bias that is not one value per output column.
  Tensor c_full = QTensor(DataType::kInt32, {1, 2, 2}, {1, 2, 3, 4}, {0.125f}, {0});
  EXPECT_EQ(RunDeclared(OpKind::kGemm, {}, {&a, &b, &c_full}, DataType::kInt8, out).status().code(),
            StatusCode::kInvalidModel);
  Tensor c_mat = QTensor(DataType::kInt32, {2, 2}, {1, 2, 3, 4}, {0.125f}, {0});
  Tensor a2 = QTensor(DataType::kInt8, {2, 2}, {1, 2, 3, 4}, {0.5f}, {0});
  EXPECT_EQ(RunDeclared(OpKind::kGemm, {}, {&a2, &b, &c_mat}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);

  // A 1-D B quantized per axis would be quantized along the reduction axis.
  Tensor b_vec = QTensor(DataType::kInt8, {2}, {1, 2}, {0.25f, 0.5f}, {0, 0}, 0);
  EXPECT_EQ(RunDeclared(OpKind::kMatMul, {}, {&a, &b_vec}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
