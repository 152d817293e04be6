// The TFLite importer on hand-built models: the IR it produces (NCHW islands
// between transposes, permuted weights and quantization axes) and the numbers
// it computes against NHWC references written here from TFLite's definitions.
#include "io/tflite/read/tflite_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "runtime/interpreter.h"
#include "test_util.h"
#include "unit/tflite_reader_test_models.h"

namespace qforge {
namespace {

using tflite_test::TfliteBuilder;

std::vector<float> RandomFloats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

Tensor FloatTensor(std::vector<int64_t> dims, const std::vector<float>& v) {
  Tensor t(DataType::kFloat32, std::move(dims));
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

Result<std::unique_ptr<ir::Graph>> Read(const TfliteBuilder& b) {
  return io::ReadTfliteFromBytes(b.Finish(), "test.tflite");
}

Result<std::vector<Tensor>> RunGraph(std::unique_ptr<ir::Graph> g, std::vector<Tensor> inputs) {
  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(g)));
  return interp.Run(inputs);
}

int CountOps(const ir::Graph& g, OpKind op) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.op == op && !node.removed ? 1 : 0;
  return n;
}

const ir::Node* FindOp(const ir::Graph& g, OpKind op) {
  for (const ir::Node& node : g.nodes) {
    if (node.op == op && !node.removed) return &node;
  }
  return nullptr;
}

// TFLite's SAME padding (begin) for one dim.
int SameBefore(int in, int k, int s, int d) {
  const int out = (in + s - 1) / s;
  return std::max((out - 1) * s + (k - 1) * d + 1 - in, 0) / 2;
}

// NHWC convolution with OHWI weights as TFLite defines it (groups =
// C / filter C; depthwise is passed as groups = C with weights rearranged
// by the caller). Output [1, OH, OW, O].
struct ConvSpec {
  int h, w, c, o, kh, kw, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, oh, ow, groups = 1;
};
std::vector<float> RefConv(const ConvSpec& s, const std::vector<float>& x, const std::vector<float>& w_ohwi,
                           const std::vector<float>& bias, float lo, float hi) {
  const int cg = s.c / s.groups, og = s.o / s.groups;
  std::vector<float> y(static_cast<size_t>(s.oh * s.ow * s.o));
  for (int oy = 0; oy < s.oh; ++oy) {
    for (int ox = 0; ox < s.ow; ++ox) {
      for (int oc = 0; oc < s.o; ++oc) {
        const int g = oc / og;
        double acc = bias.empty() ? 0.0 : bias[static_cast<size_t>(oc)];
        for (int ky = 0; ky < s.kh; ++ky) {
          for (int kx = 0; kx < s.kw; ++kx) {
            const int iy = oy * s.sh - s.pt + ky * s.dh, ix = ox * s.sw - s.pl + kx * s.dw;
            if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
            for (int ic = 0; ic < cg; ++ic) {
              acc += x[static_cast<size_t>((iy * s.w + ix) * s.c + g * cg + ic)] *
                     w_ohwi[static_cast<size_t>(((oc * s.kh + ky) * s.kw + kx) * cg + ic)];
            }
          }
        }
        y[static_cast<size_t>((oy * s.ow + ox) * s.o + oc)] =
            std::min(hi, std::max(lo, static_cast<float>(acc)));
      }
    }
  }
  return y;
}

void ExpectNear(const Tensor& got, const std::vector<int64_t>& dims, const std::vector<float>& want,
                double tol) {
  ASSERT_EQ(got.dtype(), DataType::kFloat32);
  ASSERT_EQ(got.dims(), dims);
  ASSERT_EQ(static_cast<size_t>(got.num_elements()), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got.data<float>()[i], want[i], tol * std::max(1.0f, std::fabs(want[i]))) << "element " << i;
  }
}

// --- Float convolutions -------------------------------------------------

TEST(TfliteReader, Conv2DSameStride2OddSizesWithFusedRelu) {
  const ConvSpec s{.h = 5,
                   .w = 6,
                   .c = 2,
                   .o = 3,
                   .kh = 3,
                   .kw = 3,
                   .sh = 2,
                   .sw = 2,
                   .pt = SameBefore(5, 3, 2, 1),
                   .pl = SameBefore(6, 3, 2, 1),
                   .oh = 3,
                   .ow = 3};
  ASSERT_EQ(s.pt, 1);  // total 2 on H
  ASSERT_EQ(s.pl, 0);  // total 1 on W: the odd element goes after
  const auto w = RandomFloats(3 * 3 * 3 * 2, 1), bias = RandomFloats(3, 2), x = RandomFloats(5 * 6 * 2, 3);
  TfliteBuilder b;
  const int in = b.Tensor("input", tflite::TensorType_FLOAT32, {1, 5, 6, 2});
  const int wt = b.Constant("conv/weights", tflite::TensorType_FLOAT32, {3, 3, 3, 2}, w);
  const int bt = b.Constant("conv/bias", tflite::TensorType_FLOAT32, {3}, bias);
  const int out = b.Tensor("output", tflite::TensorType_FLOAT32, {1, 3, 3, 3});
  tflite::Conv2DOptionsT o;
  o.padding = tflite::Padding_SAME;
  o.stride_h = o.stride_w = 2;
  o.fused_activation_function = tflite::ActivationFunctionType_RELU;
  b.Op(tflite::BuiltinOperator_CONV_2D, {in, wt, bt}, {out}, o);
  b.Io({in}, {out});

  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Graph& graph = **g;
  EXPECT_EQ(graph.requantization, ir::Requantization::kFixedPoint);
  EXPECT_EQ(graph.source_path, "test.tflite");
  ASSERT_EQ(graph.inputs.size(), 1u);
  EXPECT_EQ(graph.value(graph.inputs[0]).name, "input");
  EXPECT_EQ(graph.value(graph.inputs[0]).type.dims, (std::vector<int64_t>{1, 5, 6, 2}));
  EXPECT_EQ(graph.value(graph.inputs[0]).type.layout, ir::Layout::kNHWC);  // channels-last image input
  EXPECT_EQ(graph.value(graph.outputs[0]).name, "output");
  EXPECT_EQ(graph.value(graph.outputs[0]).type.dims, (std::vector<int64_t>{1, 3, 3, 3}));
  const ir::Node* conv = FindOp(graph, OpKind::kConv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->attrs.GetInts("pads"), (std::vector<int64_t>{1, 0, 1, 1}));
  EXPECT_EQ(conv->attrs.GetInts("strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(conv->attrs.GetFloat("activation_min", -1.0f), 0.0f);
  const ir::Value& weight = graph.value(conv->inputs[1]);
  ASSERT_TRUE(weight.is_constant());
  EXPECT_EQ(weight.name, "conv/weights");
  EXPECT_EQ(weight.constant->dims(), (std::vector<int64_t>{3, 2, 3, 3}));  // OIHW
  // W_oihw[o=1][i=1][y=2][x=0] == W_ohwi[1][2][0][1].
  EXPECT_EQ(weight.constant->data<float>()[((1 * 2 + 1) * 3 + 2) * 3 + 0], w[((1 * 3 + 2) * 3 + 0) * 2 + 1]);
  EXPECT_EQ(CountOps(graph, OpKind::kTranspose), 2);

  auto y = RunGraph(std::move(g).value(), {FloatTensor({1, 5, 6, 2}, x)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear((*y)[0], {1, 3, 3, 3}, RefConv(s, x, w, bias, 0.0f, INFINITY), 1e-5);
}

TEST(TfliteReader, DepthwiseConvMultiplier2DilatedSame) {
  // Depthwise output channel c * 2 + m reads input channel c.
  const ConvSpec s{.h = 5,
                   .w = 5,
                   .c = 2,
                   .o = 4,
                   .kh = 3,
                   .kw = 3,
                   .dh = 2,
                   .dw = 2,
                   .pt = SameBefore(5, 3, 1, 2),
                   .pl = SameBefore(5, 3, 1, 2),
                   .oh = 5,
                   .ow = 5,
                   .groups = 2};
  ASSERT_EQ(s.pt, 2);
  const auto w1hwc = RandomFloats(3 * 3 * 4, 4), bias = RandomFloats(4, 5), x = RandomFloats(5 * 5 * 2, 6);
  // The same weights as a grouped OHWI filter [4, 3, 3, 1] for RefConv.
  std::vector<float> w_ohwi(w1hwc.size());
  for (int k = 0; k < 9; ++k) {
    for (int oc = 0; oc < 4; ++oc)
      w_ohwi[static_cast<size_t>(oc * 9 + k)] = w1hwc[static_cast<size_t>(k * 4 + oc)];
  }
  TfliteBuilder b;
  const int in = b.Tensor("x", tflite::TensorType_FLOAT32, {1, 5, 5, 2});
  const int wt = b.Constant("dw/weights", tflite::TensorType_FLOAT32, {1, 3, 3, 4}, w1hwc);
  const int bt = b.Constant("dw/bias", tflite::TensorType_FLOAT32, {4}, bias);
  const int out = b.Tensor("y", tflite::TensorType_FLOAT32, {1, 5, 5, 4});
  tflite::DepthwiseConv2DOptionsT o;
  o.padding = tflite::Padding_SAME;
  o.stride_h = o.stride_w = 1;
  o.dilation_h_factor = o.dilation_w_factor = 2;
  o.depth_multiplier = 2;
  o.fused_activation_function = tflite::ActivationFunctionType_RELU6;
  b.Op(tflite::BuiltinOperator_DEPTHWISE_CONV_2D, {in, wt, bt}, {out}, o);
  b.Io({in}, {out});

  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Node* conv = FindOp(**g, OpKind::kConv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->attrs.GetInt("group", 0), 2);
  EXPECT_EQ((*g)->value(conv->inputs[1]).constant->dims(), (std::vector<int64_t>{4, 1, 3, 3}));
  auto y = RunGraph(std::move(g).value(), {FloatTensor({1, 5, 5, 2}, x)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear((*y)[0], {1, 5, 5, 4}, RefConv(s, x, w_ohwi, bias, 0.0f, 6.0f), 1e-5);
}

TEST(TfliteReader, ConvChainKeepsOneNchwIsland) {
  TfliteBuilder b;
  const int in = b.Tensor("in", tflite::TensorType_FLOAT32, {1, 4, 4, 1});
  int prev = in;
  for (int i = 0; i < 3; ++i) {
    const int wt = b.Constant("w" + std::to_string(i), tflite::TensorType_FLOAT32, {1, 1, 1, 1},
                              std::vector<float>{0.5f});
    const int out = b.Tensor("c" + std::to_string(i), tflite::TensorType_FLOAT32, {1, 4, 4, 1});
    tflite::Conv2DOptionsT o;
    o.stride_h = o.stride_w = 1;
    o.padding = tflite::Padding_VALID;
    b.Op(tflite::BuiltinOperator_CONV_2D, {prev, wt, -1}, {out}, o);
    prev = out;
  }
  b.Io({in}, {prev});
  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(CountOps(**g, OpKind::kConv), 3);
  // Six transposes before sinking; the inner pairs cancel.
  EXPECT_EQ(CountOps(**g, OpKind::kTranspose), 2);
  auto y = RunGraph(std::move(g).value(), {FloatTensor({1, 4, 4, 1}, std::vector<float>(16, 8.0f))});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear((*y)[0], {1, 4, 4, 1}, std::vector<float>(16, 1.0f), 0.0);
}

TEST(TfliteReader, DynamicBatchFromShapeSignature) {
  TfliteBuilder b;
  const int in = b.Tensor("in", tflite::TensorType_FLOAT32, {1, 3, 3, 1});
  b.subgraph().tensors[static_cast<size_t>(in)]->shape_signature = {-1, 3, 3, 1};
  const int wt = b.Constant("w", tflite::TensorType_FLOAT32, {1, 2, 2, 1}, std::vector<float>{1, 1, 1, 1});
  const int out = b.Tensor("out", tflite::TensorType_FLOAT32, {1, 3, 3, 1});
  tflite::Conv2DOptionsT o;
  o.padding = tflite::Padding_SAME;  // total 1 on each dim, after
  o.stride_h = o.stride_w = 1;
  b.Op(tflite::BuiltinOperator_CONV_2D, {in, wt, -1}, {out}, o);
  b.Io({in}, {out});
  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->value((*g)->inputs[0]).type.dims, (std::vector<int64_t>{ir::kDynamicDim, 3, 3, 1}));
  std::vector<float> x(18, 1.0f);
  auto y = RunGraph(std::move(g).value(), {FloatTensor({2, 3, 3, 1}, x)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const std::vector<float> one = {4, 4, 2, 4, 4, 2, 2, 2, 1};
  std::vector<float> want(one);
  want.insert(want.end(), one.begin(), one.end());
  ExpectNear((*y)[0], {2, 3, 3, 1}, want, 0.0);

  // SAME padding needs static spatial dims.
  b.subgraph().tensors[static_cast<size_t>(in)]->shape_signature = {1, -1, 3, 1};
  auto dyn = Read(b);
  ASSERT_FALSE(dyn.ok());
  EXPECT_EQ(dyn.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(dyn.status().message().find("operator 0 (CONV_2D)"), std::string::npos) << dyn.status().message();
}

// --- Pools ----------------------------------------------------------------

TEST(TfliteReader, PoolsSameOddSizes) {
  // 1x5x5x1 input 0..24; 2x2 stride 2 SAME: out 3x3, total pad 1 (after).
  std::vector<float> x(25);
  for (int i = 0; i < 25; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i);
  TfliteBuilder b;
  const int in = b.Tensor("x", tflite::TensorType_FLOAT32, {1, 5, 5, 1});
  const int mx = b.Tensor("max", tflite::TensorType_FLOAT32, {1, 3, 3, 1});
  const int av = b.Tensor("avg", tflite::TensorType_FLOAT32, {1, 3, 3, 1});
  tflite::Pool2DOptionsT o;
  o.padding = tflite::Padding_SAME;
  o.stride_h = o.stride_w = 2;
  o.filter_height = o.filter_width = 2;
  b.Op(tflite::BuiltinOperator_MAX_POOL_2D, {in}, {mx}, o);
  b.Op(tflite::BuiltinOperator_AVERAGE_POOL_2D, {in}, {av}, o);
  b.Io({in}, {mx, av});
  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto y = RunGraph(std::move(g).value(), {FloatTensor({1, 5, 5, 1}, x)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear((*y)[0], {1, 3, 3, 1}, {6, 8, 9, 16, 18, 19, 21, 23, 24}, 0.0);
  // Averages over in-bounds elements only (TFLite excludes the padding).
  ExpectNear((*y)[1], {1, 3, 3, 1}, {3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24}, 1e-6);
}

// --- Dense ----------------------------------------------------------------

TEST(TfliteReader, FullyConnectedFlattensRank4InputWithRelu6) {
  const auto x = RandomFloats(12, 7, -2, 2), w = RandomFloats(4 * 12, 8, -2, 2), bias = RandomFloats(4, 9);
  TfliteBuilder b;
  const int in = b.Tensor("x", tflite::TensorType_FLOAT32, {1, 2, 2, 3});
  const int wt = b.Constant("fc/w", tflite::TensorType_FLOAT32, {4, 12}, w);
  const int bt = b.Constant("fc/b", tflite::TensorType_FLOAT32, {4}, bias);
  const int out = b.Tensor("y", tflite::TensorType_FLOAT32, {1, 4});
  tflite::FullyConnectedOptionsT o;
  o.fused_activation_function = tflite::ActivationFunctionType_RELU6;
  b.Op(tflite::BuiltinOperator_FULLY_CONNECTED, {in, wt, bt}, {out}, o);
  b.Io({in}, {out});
  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Node* gemm = FindOp(**g, OpKind::kGemm);
  ASSERT_NE(gemm, nullptr);
  EXPECT_EQ(gemm->attrs.GetInt("transB", 0), 1);
  EXPECT_EQ(CountOps(**g, OpKind::kReshape), 1);
  std::vector<float> want(4);
  for (int o2 = 0; o2 < 4; ++o2) {
    double acc = bias[static_cast<size_t>(o2)];
    for (int i = 0; i < 12; ++i) acc += x[static_cast<size_t>(i)] * w[static_cast<size_t>(o2 * 12 + i)];
    want[static_cast<size_t>(o2)] = std::min(6.0f, std::max(0.0f, static_cast<float>(acc)));
  }
  auto y = RunGraph(std::move(g).value(), {FloatTensor({1, 2, 2, 3}, x)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear((*y)[0], {1, 4}, want, 1e-5);
}

// --- Quantized ------------------------------------------------------------

TEST(TfliteReader, Int8ConvPerChannelWithinOneStepOfFloat) {
  const float in_s = 0.05f, out_s = 0.08f;
  const int in_z = -3, out_z = 5;
  const std::vector<float> w_s = {0.01f, 0.02f, 0.015f};
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> q8(-127, 127);
  std::vector<int8_t> xq(4 * 4 * 2), wq(3 * 3 * 3 * 2);
  for (auto& v : xq) v = static_cast<int8_t>(q8(rng));
  for (auto& v : wq) v = static_cast<int8_t>(q8(rng));
  const std::vector<int32_t> bq = {100, -200, 50};
  TfliteBuilder b;
  const int in = b.Tensor("x", tflite::TensorType_INT8, {1, 4, 4, 2});
  b.Quantize(in, {in_s}, {in_z});
  const int wt = b.Constant("w", tflite::TensorType_INT8, {3, 3, 3, 2}, wq);
  b.Quantize(wt, w_s, {0, 0, 0}, 0);
  const int bt = b.Constant("b", tflite::TensorType_INT32, {3}, bq);
  b.Quantize(bt, {in_s * w_s[0], in_s * w_s[1], in_s * w_s[2]}, {0, 0, 0}, 0);
  const int out = b.Tensor("y", tflite::TensorType_INT8, {1, 4, 4, 3});
  b.Quantize(out, {out_s}, {out_z});
  tflite::Conv2DOptionsT o;
  o.padding = tflite::Padding_SAME;
  o.stride_h = o.stride_w = 1;
  b.Op(tflite::BuiltinOperator_CONV_2D, {in, wt, bt}, {out}, o);
  b.Io({in}, {out});

  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Node* conv = FindOp(**g, OpKind::kConv);
  ASSERT_NE(conv, nullptr);
  const Tensor& wc = *(*g)->value(conv->inputs[1]).constant;
  EXPECT_EQ(wc.dtype(), DataType::kInt8);
  EXPECT_EQ(wc.dims(), (std::vector<int64_t>{3, 2, 3, 3}));
  EXPECT_EQ(wc.quant().axis, 0);
  EXPECT_EQ(wc.quant().scale, w_s);
  EXPECT_EQ((*g)->value(conv->inputs[1]).type.quant, wc.quant());
  EXPECT_EQ((*g)->value(conv->outputs[0]).type.quant.zero_point, (std::vector<int64_t>{out_z}));

  // Float reference on dequantized operands, quantized with the output's parameters.
  std::vector<float> xf(xq.size()), bias(3);
  for (size_t i = 0; i < xq.size(); ++i) xf[i] = in_s * static_cast<float>(xq[i] - in_z);
  std::vector<float> wf(wq.size());
  for (size_t i = 0; i < wq.size(); ++i) wf[i] = w_s[i / 18] * static_cast<float>(wq[i]);
  for (int c = 0; c < 3; ++c)
    bias[static_cast<size_t>(c)] =
        in_s * w_s[static_cast<size_t>(c)] * static_cast<float>(bq[static_cast<size_t>(c)]);
  const ConvSpec s{.h = 4, .w = 4, .c = 2, .o = 3, .kh = 3, .kw = 3, .pt = 1, .pl = 1, .oh = 4, .ow = 4};
  const std::vector<float> ref = RefConv(s, xf, wf, bias, -INFINITY, INFINITY);

  Tensor xt(DataType::kInt8, {1, 4, 4, 2});
  std::copy(xq.begin(), xq.end(), xt.data<int8_t>());
  xt.set_quant({{in_s}, {in_z}, -1});
  auto y = RunGraph(std::move(g).value(), {xt});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ASSERT_EQ((*y)[0].dtype(), DataType::kInt8);
  ASSERT_EQ((*y)[0].num_elements(), 48);
  for (size_t i = 0; i < ref.size(); ++i) {
    const float q = std::clamp(std::round(ref[i] / out_s) + static_cast<float>(out_z), -128.0f, 127.0f);
    EXPECT_NEAR(static_cast<float>((*y)[0].data<int8_t>()[i]), q, 1.0f) << "element " << i;
  }
}

TEST(TfliteReader, QuantizeThenDequantize) {
  TfliteBuilder b;
  const int in = b.Tensor("x", tflite::TensorType_FLOAT32, {1, 5});
  const int q = b.Tensor("xq", tflite::TensorType_INT8, {1, 5});
  b.Quantize(q, {0.1f}, {2});
  const int out = b.Tensor("y", tflite::TensorType_FLOAT32, {1, 5});
  b.Op(tflite::BuiltinOperator_QUANTIZE, {in}, {q});
  b.Op(tflite::BuiltinOperator_DEQUANTIZE, {q}, {out});
  b.Io({in}, {out});
  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(CountOps(**g, OpKind::kQuantizeLinear), 1);
  EXPECT_EQ(CountOps(**g, OpKind::kDequantizeLinear), 1);
  auto y = RunGraph(std::move(g).value(), {FloatTensor({1, 5}, {0.0f, 0.26f, -1.0f, 20.0f, -20.0f})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  // q = clamp(round(x / 0.1) + 2, -128, 127); y = 0.1 * (q - 2).
  ExpectNear((*y)[0], {1, 5}, {0.0f, 0.3f, -1.0f, 12.5f, -13.0f}, 1e-6);
}

TEST(TfliteReader, Float16WeightsBecomeCastOfHalfConstant) {
  const std::vector<uint16_t> half = {FloatToHalf(1.5f), FloatToHalf(-2.0f), FloatToHalf(0.25f)};
  TfliteBuilder b;
  const int in = b.Tensor("x", tflite::TensorType_FLOAT32, {3});
  const int wh = b.Constant("w_fp16", tflite::TensorType_FLOAT16, {3}, half);
  const int wf = b.Tensor("w", tflite::TensorType_FLOAT32, {3});
  const int out = b.Tensor("y", tflite::TensorType_FLOAT32, {3});
  b.Op(tflite::BuiltinOperator_DEQUANTIZE, {wh}, {wf});
  b.Op(tflite::BuiltinOperator_ADD, {in, wf}, {out}, tflite::AddOptionsT{});
  b.Io({in}, {out});
  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Node* cast = FindOp(**g, OpKind::kCast);
  ASSERT_NE(cast, nullptr);
  EXPECT_EQ((*g)->value(cast->inputs[0]).type.dtype, DataType::kFloat16);
  EXPECT_TRUE((*g)->value(cast->inputs[0]).is_constant());
  auto y = RunGraph(std::move(g).value(), {FloatTensor({3}, {1, 1, 1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear((*y)[0], {3}, {2.5f, -1.0f, 1.25f}, 0.0);
}

TEST(TfliteReader, Int8WeightDequantizeKeepsPerChannelAxis) {
  TfliteBuilder b;
  const int in = b.Tensor("x", tflite::TensorType_FLOAT32, {1, 3});
  const int wq =
      b.Constant("w_int8", tflite::TensorType_INT8, {2, 3}, std::vector<int8_t>{1, 2, 3, -4, -5, -6});
  b.Quantize(wq, {0.5f, 0.25f}, {0, 0}, 0);
  const int wf = b.Tensor("w", tflite::TensorType_FLOAT32, {2, 3});
  const int out = b.Tensor("y", tflite::TensorType_FLOAT32, {1, 2});
  b.Op(tflite::BuiltinOperator_DEQUANTIZE, {wq}, {wf});
  b.Op(tflite::BuiltinOperator_FULLY_CONNECTED, {in, wf, -1}, {out}, tflite::FullyConnectedOptionsT{});
  b.Io({in}, {out});
  auto g = Read(b);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Node* dq = FindOp(**g, OpKind::kDequantizeLinear);
  ASSERT_NE(dq, nullptr);
  EXPECT_EQ(dq->attrs.GetInt("axis", -1), 0);
  EXPECT_EQ((*g)->value(dq->inputs[0]).constant->quant().scale, (std::vector<float>{0.5f, 0.25f}));
  auto y = RunGraph(std::move(g).value(), {FloatTensor({1, 3}, {1, 1, 1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear((*y)[0], {1, 2}, {3.0f, -3.75f}, 1e-6);
}

}  // namespace
}  // namespace qforge
