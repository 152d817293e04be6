// The integer reference Conv (QUANT_SPEC 3): hand-computed golden cases,
// randomized cross-checks against the float Conv on dequantized operands,
// shape inference of the integer form, and its errors.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "int_linear_test_util.h"
#include "runtime/interpreter.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

// The golden outputs below were computed by hand (and by an independent
// Python transcription of QUANT_SPEC 3): acc = bias + sum((q_x - Z_x) * q_w),
// q = clamp(Z_y + MultiplyByQuantizedMultiplier(acc, M), -128, 127).
TEST(IntConv, GoldenPaddedNonZeroInputZeroPointPerChannel) {
  // Z_x = 2: the padded border contributes nothing (as if it held 2).
  Tensor x = QTensor(DataType::kInt8, {1, 1, 3, 3}, {5, 2, -7, 0, 12, 3, 2, -1, 9}, {1.0f}, {2});
  Tensor w =
      QTensor(DataType::kInt8, {2, 1, 2, 2}, {1, -2, 3, 4, 100, -127, 50, 127}, {0.5f, 0.02f}, {0, 0}, 0);
  Tensor b = IntBias({3, -50}, 1.0f, {0.5f, 0.02f});
  ir::Attributes attrs;
  attrs.Set("pads", Ints{1, 1, 1, 1});
  attrs.Set("strides", Ints{2, 2});
  // Channel 0: M = 1 * 0.5 / 0.1 = 5 (a multiplier > 1); channel 1: M = 0.2.
  // acc = [15, -33, 7, 30] and [331, -1193, 204, 1562]; e.g. acc[0] = 3 +
  // (5 - 2) * 4 (only x[0, 0] is inside the first window) = 15 -> 15 * 5 - 10.
  Result<Tensor> y = RunDeclared(OpKind::kConv, attrs, {&x, &w, &b}, DataType::kInt8, {{0.1f}, {-10}, -1});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->dtype(), DataType::kInt8);
  EXPECT_EQ(y->dims(), (Ints{1, 2, 2, 2}));
  // -33 * 5 - 10 and -1193 * 0.2 - 10 saturate at -128; 30 * 5 and 1562 * 0.2 at 127.
  EXPECT_EQ(Values(*y), (std::vector<double>{65, -128, 25, 127, 56, -128, 31, 127}));
}

TEST(IntConv, GoldenUint8FusedReluSixAndRounding) {
  // uint8 activations x int8 weights (U8S8), Z_x = 128, 1x1 conv; fused
  // clamp [0, 6] with S_y = 0.05, Z_y = 20 -> q in [20, 140].
  Tensor x = QTensor(DataType::kUInt8, {1, 2, 1, 3}, {128, 138, 255, 100, 131, 126}, {0.5f}, {128});
  Tensor w = QTensor(DataType::kInt8, {1, 2, 1, 1}, {1, 2}, {0.05f}, {0});
  Tensor b = IntBias({2}, 0.5f, {0.05f});
  ir::Attributes attrs;
  attrs.Set(quant::kActivationMin, 0.0f);
  attrs.Set(quant::kActivationMax, 6.0f);
  Result<Tensor> y = RunDeclared(OpKind::kConv, attrs, {&x, &w, &b}, DataType::kUInt8, {{0.05f}, {20}, -1});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  // acc = 2 + (x0 - 128) + 2 * (x1 - 128): [-54, 18, 125]; M = 0.5 * 0.05 / 0.05 = 0.5:
  // -27 + 20 = -7 -> clamp 20 (the ReLU), 9 + 20 = 29, 62.5 -> 63 (tie rounds up) + 20 = 83.
  EXPECT_EQ(Values(*y), (std::vector<double>{20, 29, 83}));
  // Without the fused clamp the first element goes below Z_y, down to uint8's 0.
  Result<Tensor> plain = RunDeclared(OpKind::kConv, {}, {&x, &w, &b}, DataType::kUInt8, {{0.05f}, {20}, -1});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(Values(*plain), (std::vector<double>{0, 29, 83}));
}

// Through the interpreter, as a quantized model runs: constant weight and bias
// (their Tensor carries the parameters), the graph input's parameters only on
// its declared type (a caller's int8 tensor has none), the output's declared.
TEST(IntConv, InterpreterWithConstantsAndDeclaredInputParams) {
  auto g = std::make_shared<ir::Graph>();
  g->name = "int_conv";
  ir::TensorType x_type = Type(DataType::kInt8, {1, 1, 3, 3});
  x_type.quant = {{1.0f}, {2}, -1};
  const ir::ValueId x = g->AddValue("x", x_type);
  Tensor w =
      QTensor(DataType::kInt8, {2, 1, 2, 2}, {1, -2, 3, 4, 100, -127, 50, 127}, {0.5f, 0.02f}, {0, 0}, 0);
  Tensor b = IntBias({3, -50}, 1.0f, {0.5f, 0.02f});
  ir::TensorType w_type = Type(DataType::kInt8, w.dims());
  w_type.quant = w.quant();
  ir::TensorType b_type = Type(DataType::kInt32, b.dims());
  b_type.quant = b.quant();
  const ir::ValueId wv = g->AddConstant("w", w);
  g->value(wv).type = w_type;
  const ir::ValueId bv = g->AddConstant("b", b);
  g->value(bv).type = b_type;
  ir::TensorType y_type = Type(DataType::kInt8, {1, 2, 2, 2});
  y_type.quant = {{0.1f}, {-10}, -1};
  const ir::ValueId y = g->AddValue("y", y_type);
  ir::Node conv;
  conv.name = "conv";
  conv.op = OpKind::kConv;
  conv.inputs = {x, wv, bv};
  conv.outputs = {y};
  conv.attrs.Set("pads", Ints{1, 1, 1, 1});
  conv.attrs.Set("strides", Ints{2, 2});
  g->AddNode(conv);
  g->inputs = {x};
  g->outputs = {y};
  ASSERT_TRUE(ir::VerifyGraph(*g).ok()) << ir::VerifyGraph(*g).ToString();
  runtime::Interpreter interp(g);
  Tensor input = MakeTensor(DataType::kInt8, {1, 1, 3, 3}, {5, 2, -7, 0, 12, 3, 2, -1, 9});
  Result<std::vector<Tensor>> out = interp.Run(std::span<const Tensor>(&input, 1));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // The same numbers as GoldenPaddedNonZeroInputZeroPointPerChannel.
  EXPECT_EQ(Values(out->at(0)), (std::vector<double>{65, -128, 25, 127, 56, -128, 31, 127}));
}

struct ConvCase {
  std::string name;
  DataType dtype;
  Ints x_dims;  // N, C, spatial...
  int64_t out_channels;
  int64_t group;
  Ints kernel;
  ir::Attributes attrs;  // strides, dilations, pads, auto_pad, fused activation
  bool per_channel;
  bool bias;
};

ir::Attributes A(std::initializer_list<std::pair<const char*, ir::Attribute>> kv) {
  ir::Attributes a;
  for (const auto& [k, v] : kv) a.Set(k, v);
  return a;
}

std::vector<ConvCase> ConvCases() {
  return {
      {"stride2_asym_pads_batch2",
       DataType::kInt8,
       {2, 3, 9, 8},
       5,
       1,
       {3, 3},
       A({{"strides", Ints{2, 2}}, {"pads", Ints{0, 1, 2, 1}}}),
       true,
       true},
      {"dilation_groups_uint8",
       DataType::kUInt8,
       {1, 6, 11, 10},
       10,
       2,
       {3, 2},
       A({{"dilations", Ints{2, 3}}, {"pads", Ints{2, 1, 1, 0}}}),
       false,
       true},
      {"depthwise_uint8",
       DataType::kUInt8,
       {2, 7, 6, 5},
       7,
       7,
       {3, 3},
       A({{"pads", Ints{1, 1, 1, 1}}}),
       true,
       true},
      {"pointwise_1x1", DataType::kInt8, {2, 13, 4, 3}, 9, 1, {1, 1}, {}, true, false},
      {"conv1d_stride_dilation",
       DataType::kInt8,
       {2, 5, 17},
       3,
       1,
       {4},
       A({{"strides", Ints{3}}, {"dilations", Ints{2}}, {"pads", Ints{3, 1}}}),
       true,
       true},
      {"conv3d",
       DataType::kUInt8,
       {1, 2, 4, 5, 6},
       3,
       1,
       {2, 3, 2},
       A({{"pads", Ints{1, 0, 1, 0, 1, 1}}}),
       true,
       true},
      {"same_upper_stride2_relu6",
       DataType::kInt8,
       {1, 4, 7, 7},
       11,
       1,
       {3, 3},
       A({{"auto_pad", std::string("SAME_UPPER")},
          {"strides", Ints{2, 2}},
          {quant::kActivationMin, 0.0f},
          {quant::kActivationMax, 6.0f}}),
       true,
       true},
      {"relu_uint8_grouped",
       DataType::kUInt8,
       {2, 4, 5, 5},
       6,
       2,
       {2, 2},
       A({{quant::kActivationMin, 0.0f}}),
       true,
       true},
  };
}

TEST(IntConv, RandomizedWithinOneStepOfFloat) {
  std::mt19937 rng(20261122);
  for (const ConvCase& tc : ConvCases()) {
    for (int trial = 0; trial < 3; ++trial) {
      SCOPED_TRACE(tc.name + " trial " + std::to_string(trial));
      ir::Attributes attrs = tc.attrs;
      attrs.Set("group", tc.group);
      const quant::QuantLimits lim = quant::LimitsOf(tc.dtype).value();
      const int64_t in_channels = tc.x_dims[1];
      const float x_scale = RandomScale(0.01f, 0.1f, &rng);
      // Extreme zero points too (the first trial uses the type's minimum).
      const int64_t x_zero = trial == 0 ? lim.qmin : RandomInts(1, lim.qmin, lim.qmax, &rng)[0];
      Tensor x = QTensor(tc.dtype, tc.x_dims, RandomInts(Count(tc.x_dims), lim.qmin, lim.qmax, &rng),
                         {x_scale}, {x_zero});
      Ints w_dims = {tc.out_channels, in_channels / tc.group};
      w_dims.insert(w_dims.end(), tc.kernel.begin(), tc.kernel.end());
      std::vector<float> w_scale;
      for (int64_t c = 0; c < (tc.per_channel ? tc.out_channels : 1); ++c) {
        w_scale.push_back(RandomScale(0.002f, 0.02f, &rng));
      }
      Tensor w = QTensor(DataType::kInt8, w_dims, RandomInts(Count(w_dims), -127, 127, &rng), w_scale,
                         std::vector<int64_t>(w_scale.size(), 0), tc.per_channel ? 0 : -1);
      Tensor b = IntBias(RandomInts(tc.out_channels, -3000, 3000, &rng), x_scale, w_scale);
      const Tensor* bias = tc.bias ? &b : nullptr;

      Tensor xf = Dequantized(x), wf = Dequantized(w), bf = Dequantized(b);
      Result<Tensor> yf = RunOp(OpKind::kConv, {&xf, &wf, tc.bias ? &bf : nullptr}, attrs);
      ASSERT_TRUE(yf.ok()) << yf.status().ToString();
      const QuantParams out = OutputParamsFor(*yf, tc.dtype);
      Result<Tensor> y = RunDeclared(OpKind::kConv, attrs, {&x, &w, bias}, tc.dtype, out);
      ASSERT_TRUE(y.ok()) << y.status().ToString();
      EXPECT_EQ(y->dtype(), tc.dtype);
      EXPECT_EQ(y->quant(), out);
      ExpectWithinSteps(*y, *yf, attrs, 1);
    }
  }
}

TEST(IntConv, InferKeepsDeclaredOutputParamsAndDtype) {
  ir::TensorType x = Type(DataType::kUInt8, {1, 3, 8, 8});
  x.quant = {{0.1f}, {128}, -1};
  ir::TensorType w = Type(DataType::kInt8, {4, 3, 3, 3});
  w.quant = {{0.01f, 0.02f, 0.03f, 0.04f}, {0, 0, 0, 0}, 0};
  ir::TensorType b = Type(DataType::kInt32, {4});
  // Within the 1e-3 tolerance of S_x * S_w[c] (float32 rounding of the product).
  b.quant = {{0.001f, 0.002f, 0.0030001f, 0.004f}, {0, 0, 0, 0}, 0};
  auto r = InferTypes(OpKind::kConv, {}, {&x, &w, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kUInt8);
  EXPECT_EQ(r->at(0).dims, (Ints{1, 4, 6, 6}));
}

TEST(IntConv, Errors) {
  Tensor x = QTensor(DataType::kInt8, {1, 1, 2, 2}, {1, 2, 3, 4}, {0.5f}, {0});
  Tensor w = QTensor(DataType::kInt8, {1, 1, 1, 1}, {3}, {0.25f}, {0});
  const QuantParams out{{0.5f}, {0}, -1};

  // No declared output parameters: the kernel says so instead of guessing.
  Result<Tensor> no_params = RunDeclared(OpKind::kConv, {}, {&x, &w}, DataType::kInt8, {});
  ASSERT_FALSE(no_params.ok());
  EXPECT_NE(no_params.status().message().find("no quantization parameters"), std::string::npos)
      << no_params.status().message();
  EXPECT_NE(no_params.status().message().find("node 'op' (Conv)"), std::string::npos);

  // Asymmetric weights are not the quantized IR's.
  Tensor w_zp = QTensor(DataType::kInt8, {1, 1, 1, 1}, {3}, {0.25f}, {5});
  Result<Tensor> zp = RunDeclared(OpKind::kConv, {}, {&x, &w_zp}, DataType::kInt8, out);
  ASSERT_FALSE(zp.ok());
  EXPECT_EQ(zp.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(zp.status().message().find("zero point 5"), std::string::npos) << zp.status().message();

  // int8 input with a float weight.
  Tensor wf = F32({1, 1, 1, 1}, {0.75});
  Result<Tensor> mixed = RunDeclared(OpKind::kConv, {}, {&x, &wf}, DataType::kInt8, out);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(mixed.status().message().find("int8 quantized weight"), std::string::npos)
      << mixed.status().message();

  // int8 input without quantization parameters.
  Tensor raw = MakeTensor(DataType::kInt8, {1, 1, 2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(RunDeclared(OpKind::kConv, {}, {&raw, &w}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);

  // A bias quantized for another input scale.
  Tensor bad_bias = QTensor(DataType::kInt32, {1}, {7}, {0.5f}, {0});
  Result<Tensor> bb = RunDeclared(OpKind::kConv, {}, {&x, &w, &bad_bias}, DataType::kInt8, out);
  ASSERT_FALSE(bb.ok());
  EXPECT_EQ(bb.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(bb.status().message().find("bias scale"), std::string::npos) << bb.status().message();

  // Per-axis weights along the wrong axis.
  Tensor w_axis = QTensor(DataType::kInt8, {2, 1, 1, 1}, {3, 4}, {0.25f}, {0}, 1);
  EXPECT_EQ(RunDeclared(OpKind::kConv, {}, {&x, &w_axis}, DataType::kInt8, out).status().code(),
            StatusCode::kUnsupported);

  // A multiplier beyond what QuantizeMultiplier represents is an error, not garbage.
  Result<Tensor> huge = RunDeclared(OpKind::kConv, {}, {&x, &w}, DataType::kInt8, {{1e-12f}, {0}, -1});
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("multiplier"), std::string::npos) << huge.status().message();

  // The valid case runs: acc = x * 3, M = 0.5 * 0.25 / 0.5 = 0.25.
  Result<Tensor> ok = RunDeclared(OpKind::kConv, {}, {&x, &w}, DataType::kInt8, out);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  // 3 * [1, 2, 3, 4] * 0.25 = [0.75, 1.5, 2.25, 3]: SRDHM(acc, 2^30) rounds, then a rounding
  // shift by 1: [3 -> 2 -> 1, 6 -> 3 -> 2, 9 -> 5 -> 3, 12 -> 6 -> 3].
  EXPECT_EQ(Values(*ok), (std::vector<double>{1, 2, 3, 3}));
}

}  // namespace
}  // namespace qforge::testing
