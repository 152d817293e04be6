// QDQ export of the quantized IR and QDQ import folding (docs/design/
// quantized_ir.md): hand-built quantized graphs are written as QDQ ONNX and
// (a) pass onnx.checker, (b) run in ONNX Runtime (node, ort_qdq_run.js)
// within one output step of qforge's reference runtime and of a hand
// computation, (c) are fused by ORT into QLinearConv / QLinearAdd / ..., and
// (d) read back to the same integer graph.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "onnx_qdq_test_util.h"
#include "qscheme/arithmetic.h"
#include "qscheme/fused_activation.h"
#include "test_util.h"

namespace qforge {
namespace {

using namespace onnx_qdq_test;  // NOLINT: test helpers

// --- (1) int8 Conv, per-channel weights, fused Relu, then MaxPool ----------
// int8 mode: float I/O through explicit QuantizeLinear / DequantizeLinear.

constexpr float kXScale = 0.02f, kYScale = 0.05f;
constexpr int64_t kXZero = 3, kYZero = -128;  // Relu'd output: Z = qmin

struct ConvGraph {
  ir::Graph g;
  Tensor x;
  Tensor w, b;
  std::vector<float> w_scales{0.01f, 0.02f, 0.015f, 0.03f};
};

ConvGraph BuildConvGraph() {
  ConvGraph c;
  ir::Graph& g = c.g;
  g.name = "qconv";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {1, 3, 6, 6}));
  const ir::ValueId xs = g.AddConstant("x_scale", testing::MakeTensor(DataType::kFloat32, {}, {kXScale}));
  const ir::ValueId xz = g.AddConstant("x_zp", testing::MakeTensor(DataType::kInt8, {}, {double(kXZero)}));
  const ir::ValueId xq = g.AddValue("xq", QType(DataType::kInt8, {1, 3, 6, 6}, PerTensor(kXScale, kXZero)));
  c.w = RandomInts(DataType::kInt8, {4, 3, 3, 3}, -127, 127, 1);
  const ir::ValueId w = AddQConst(&g, "w", c.w, PerAxis(c.w_scales, 0));
  std::vector<float> b_scales;
  for (float s : c.w_scales) b_scales.push_back(kXScale * s);
  c.b = RandomInts(DataType::kInt32, {4}, -2000, 2000, 2);
  const ir::ValueId b = AddQConst(&g, "b", c.b, PerAxis(b_scales, 0));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kInt8, {1, 4, 6, 6}, PerTensor(kYScale, kYZero)));
  const ir::ValueId p = g.AddValue("p", QType(DataType::kInt8, {1, 4, 3, 3}, PerTensor(kYScale, kYZero)));
  const ir::ValueId out = g.AddValue("out", QType(DataType::kFloat32, {1, 4, 3, 3}));
  const ir::ValueId ps = g.AddConstant("p_scale", testing::MakeTensor(DataType::kFloat32, {}, {kYScale}));
  const ir::ValueId pz = g.AddConstant("p_zp", testing::MakeTensor(DataType::kInt8, {}, {double(kYZero)}));
  AddOp(&g, OpKind::kQuantizeLinear, "quant_x", {x, xs, xz}, {xq});
  ir::Attributes conv;
  conv.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  conv.Set("kernel_shape", std::vector<int64_t>{3, 3});
  conv.Set(quant::kActivationMin, 0.0f);
  AddOp(&g, OpKind::kConv, "conv", {xq, w, b}, {y}, conv);
  ir::Attributes pool;
  pool.Set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.Set("strides", std::vector<int64_t>{2, 2});
  AddOp(&g, OpKind::kMaxPool, "pool", {y}, {p}, pool);
  AddOp(&g, OpKind::kDequantizeLinear, "dequant_out", {p, ps, pz}, {out});
  g.inputs = {x};
  g.outputs = {out};
  c.x = RandomFloats({1, 3, 6, 6}, -2.0f, 2.5f, 3);
  return c;
}

// The same computation by hand: ONNX Q of x, float conv of the dequantized
// values, Relu, Q half to even, 2x2 max, DQ.
std::vector<float> HandConvGraph(const ConvGraph& c) {
  auto qx = [&](int64_t i) {
    return quant::QuantizeValue(c.x.data<float>()[i], kXScale, kXZero, -128, 127,
                                quant::RoundingRule::kHalfToEven);
  };
  std::vector<int32_t> y(4 * 6 * 6);
  for (int oc = 0; oc < 4; ++oc) {
    for (int oy = 0; oy < 6; ++oy) {
      for (int ox = 0; ox < 6; ++ox) {
        int64_t acc = c.b.data<int32_t>()[oc];
        for (int ic = 0; ic < 3; ++ic)
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = oy + ky - 1, ix = ox + kx - 1;
              if (iy < 0 || iy >= 6 || ix < 0 || ix >= 6) continue;
              acc += (qx((ic * 6 + iy) * 6 + ix) - kXZero) *
                     c.w.data<int8_t>()[((oc * 3 + ic) * 3 + ky) * 3 + kx];
            }
        const double real = static_cast<double>(acc) * kXScale * c.w_scales[static_cast<size_t>(oc)];
        const double q = quant::RoundToIntegral(real / kYScale, quant::RoundingRule::kHalfToEven) + kYZero;
        y[static_cast<size_t>((oc * 6 + oy) * 6 + ox)] =
            static_cast<int32_t>(std::clamp(q, double(kYZero), 127.0));
      }
    }
  }
  std::vector<float> out;
  for (int oc = 0; oc < 4; ++oc)
    for (int py = 0; py < 3; ++py)
      for (int px = 0; px < 3; ++px) {
        int32_t m = -128;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx)
            m = std::max(m, y[static_cast<size_t>((oc * 6 + py * 2 + dy) * 6 + px * 2 + dx)]);
        out.push_back(kYScale * static_cast<float>(m - kYZero));
      }
  return out;
}

TEST(OnnxQdq, ConvReluMaxPoolInt8Mode) {
  ConvGraph c = BuildConvGraph();
  TempDir dir;
  Exported e = ExportAndRun(c.g, {c.x}, dir, "conv");
  ASSERT_TRUE(e.ort.ok);
  // (c) ORT fused DQ -> Conv -> Relu -> Q into QLinearConv; no float Conv.
  EXPECT_EQ(e.ort.optimized_ops.count("QLinearConv"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("Conv"), 0u);
  // (b) ORT vs the hand computation and vs qforge, within one output step.
  const std::vector<float> hand = HandConvGraph(c);
  const Tensor& ort = e.ort.outputs[0];
  ASSERT_EQ(ort.num_elements(), static_cast<int64_t>(hand.size()));
  for (size_t i = 0; i < hand.size(); ++i)
    EXPECT_LE(std::abs(ort.data<float>()[i] - hand[i]), kMaxSteps * kYScale * 1.0001f) << "element " << i;
  ASSERT_EQ(e.qforge.size(), 1u);
  for (int64_t i = 0; i < ort.num_elements(); ++i) {
    EXPECT_LE(std::abs(ort.data<float>()[i] - e.qforge[0].data<float>()[i]), kMaxSteps * kYScale * 1.0001f)
        << "element " << i;
  }
  // (d) read back: the same integer graph.
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(c.g, *e.back), "");
}

// --- (2) int8-only Gemm (transB) with int8 graph I/O ------------------------

TEST(OnnxQdq, GemmInt8OnlyIO) {
  ir::Graph g;
  g.name = "qgemm";
  const QuantParams aq = PerTensor(0.04f, -10), yq = PerTensor(0.1f, 5);
  const ir::ValueId a = g.AddValue("a", QType(DataType::kInt8, {2, 8}, aq));
  const std::vector<float> ws = {0.01f, 0.02f, 0.03f, 0.005f, 0.012f};
  const ir::ValueId w = AddQConst(&g, "w", RandomInts(DataType::kInt8, {5, 8}, -127, 127, 4), PerAxis(ws, 0));
  std::vector<float> bs;
  for (float s : ws) bs.push_back(0.04f * s);
  const ir::ValueId b = AddQConst(&g, "b", RandomInts(DataType::kInt32, {5}, -3000, 3000, 5), PerAxis(bs, 0));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kInt8, {2, 5}, yq));
  ir::Attributes attrs;
  attrs.Set("transB", int64_t{1});
  AddOp(&g, OpKind::kGemm, "fc", {a, w, b}, {y}, attrs);
  g.inputs = {a};
  g.outputs = {y};
  const Tensor in = RandomInts(DataType::kInt8, {2, 8}, -128, 127, 6);
  TempDir dir;
  Exported e = ExportAndRun(g, {in}, dir, "gemm");
  ASSERT_TRUE(e.ort.ok);
  EXPECT_EQ(e.ort.outputs[0].dtype(), DataType::kInt8);
  EXPECT_EQ(e.ort.optimized_ops.count("Gemm"), 0u) << "ORT left a float Gemm";
  EXPECT_EQ(e.ort.optimized_ops.count("QGemm"), 1u);
  ASSERT_EQ(e.qforge.size(), 1u);
  EXPECT_GE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), 0);
  EXPECT_LE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), kMaxSteps);
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

// --- (3) Add, Concat with a Requantize ------------------------------------
// int8 activations: by default ORT on x86 turns internal int8 Q/DQ pairs
// into uint8 (QDQS8ToU8Transformer) but not the DQs of int8 graph inputs,
// and then leaves the int8-input Add unfused; with
// session.qdqisint8allowed=1 it fuses int8 directly. uint8 activations
// (--activations uint8) fuse with default options.

void CheckAddConcat(DataType dtype) {
  const int64_t shift = dtype == DataType::kUInt8 ? 128 : 0;
  const double lo = dtype == DataType::kUInt8 ? 0 : -128, hi = lo + 255;
  ir::Graph g;
  g.name = "qaddcat";
  const std::vector<int64_t> dims = {1, 4, 2, 2};
  const ir::ValueId a = g.AddValue("a", QType(dtype, dims, PerTensor(0.05f, shift)));
  const ir::ValueId b = g.AddValue("b", QType(dtype, dims, PerTensor(0.04f, shift - 28)));
  const QuantParams sq = PerTensor(0.08f, shift - 5);
  const ir::ValueId s = g.AddValue("s", QType(dtype, dims, sq));
  const ir::ValueId ar = g.AddValue("a_requantized", QType(dtype, dims, sq));
  const ir::ValueId c = g.AddValue("c", QType(dtype, {1, 8, 2, 2}, sq));
  AddOp(&g, OpKind::kAdd, "add", {a, b}, {s});
  AddOp(&g, OpKind::kRequantize, "a_requantize", {a}, {ar});
  ir::Attributes cat;
  cat.Set("axis", int64_t{1});
  AddOp(&g, OpKind::kConcat, "cat", {s, ar}, {c}, cat);
  g.inputs = {a, b};
  g.outputs = {c};
  const Tensor a_in = RandomInts(dtype, dims, static_cast<int>(lo), static_cast<int>(hi), 7);
  const Tensor b_in = RandomInts(dtype, dims, static_cast<int>(lo), static_cast<int>(hi), 8);
  TempDir dir;
  Exported e = ExportAndRun(g, {a_in, b_in}, dir, "addcat", /*qdq_int8=*/dtype == DataType::kInt8);
  ASSERT_TRUE(e.ort.ok);
  EXPECT_EQ(e.ort.outputs[0].dtype(), dtype);
  EXPECT_EQ(e.ort.optimized_ops.count("QLinearAdd"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("QLinearConcat"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("Add") + e.ort.optimized_ops.count("Concat"), 0u);
  ASSERT_EQ(e.qforge.size(), 1u);
  EXPECT_GE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), 0);
  EXPECT_LE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), kMaxSteps);
  // Hand check of the requantized half: q = round(0.05 (a - Za) / 0.08) + Zs.
  const Tensor& out = e.ort.outputs[0];
  for (int64_t i = 0; i < 16; ++i) {
    const double real = 0.05 * static_cast<double>(IntElement(a_in, i) - shift);
    const double want = std::clamp(std::nearbyint(real / 0.08) + static_cast<double>(shift - 5), lo, hi);
    EXPECT_LE(std::abs(static_cast<double>(IntElement(out, 16 + i)) - want), double(kMaxSteps))
        << "element " << i;
  }
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

TEST(OnnxQdq, AddConcatRequantizeInt8) { CheckAddConcat(DataType::kInt8); }
TEST(OnnxQdq, AddConcatRequantizeUint8) { CheckAddConcat(DataType::kUInt8); }

// uint8 graph input: Requantize to int8 (same scale, zero point - 128),
// int8 MaxPool, and back to uint8.
TEST(OnnxQdq, Uint8InputMaxPool) {
  ir::Graph g;
  g.name = "qu8";
  const ir::ValueId au = g.AddValue("a", QType(DataType::kUInt8, {1, 2, 4, 4}, PerTensor(0.03f, 140)));
  const ir::ValueId a8 =
      g.AddValue("a_requantized", QType(DataType::kInt8, {1, 2, 4, 4}, PerTensor(0.03f, 12)));
  const ir::ValueId p = g.AddValue("p", QType(DataType::kInt8, {1, 2, 2, 2}, PerTensor(0.03f, 12)));
  const ir::ValueId pu = g.AddValue("p_u8", QType(DataType::kUInt8, {1, 2, 2, 2}, PerTensor(0.03f, 140)));
  AddOp(&g, OpKind::kRequantize, "a_requantize", {au}, {a8});
  ir::Attributes pool;
  pool.Set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.Set("strides", std::vector<int64_t>{2, 2});
  AddOp(&g, OpKind::kMaxPool, "pool", {a8}, {p}, pool);
  AddOp(&g, OpKind::kRequantize, "p_requantize", {p}, {pu});
  g.inputs = {au};
  g.outputs = {pu};
  const Tensor in = RandomInts(DataType::kUInt8, {1, 2, 4, 4}, 0, 255, 16);
  TempDir dir;
  Exported e = ExportAndRun(g, {in}, dir, "u8pool");
  ASSERT_TRUE(e.ort.ok);
  ASSERT_EQ(e.qforge.size(), 1u);
  // Same scale all the way: max pooling of the uint8 input, exactly.
  for (int64_t i = 0; i < 8; ++i) {
    const int64_t c = i / 4, py = (i % 4) / 2, px = i % 2;
    int64_t m = 0;
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) m = std::max(m, IntElement(in, (c * 4 + py * 2 + dy) * 4 + px * 2 + dx));
    EXPECT_EQ(IntElement(e.ort.outputs[0], i), m) << "element " << i;
  }
  EXPECT_EQ(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), 0);
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

// --- (4) hybrid Conv and MatMul ---------------------------------------------

TEST(OnnxQdq, HybridConvAndMatMul) {
  ir::Graph g;
  g.name = "hybrid";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {1, 3, 5, 5}));
  const ir::ValueId w = AddQConst(&g, "w", RandomInts(DataType::kInt8, {4, 3, 3, 3}, -127, 127, 9),
                                  PerAxis({0.01f, 0.02f, 0.004f, 0.03f}, 0));
  const ir::ValueId b = g.AddConstant("b", RandomFloats({4}, -1.0f, 1.0f, 10));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kFloat32, {1, 4, 5, 5}));
  ir::Attributes conv;
  conv.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  conv.Set(quant::kActivationMin, 0.0f);
  conv.Set(quant::kActivationMax, 6.0f);
  AddOp(&g, OpKind::kConv, "conv", {x, w, b}, {y}, conv);
  const ir::ValueId x2 = g.AddValue("x2", QType(DataType::kFloat32, {2, 8}));
  const ir::ValueId w2 = AddQConst(&g, "w2", RandomInts(DataType::kInt8, {8, 3}, -127, 127, 11),
                                   PerAxis({0.02f, 0.01f, 0.05f}, 1));
  const ir::ValueId y2 = g.AddValue("y2", QType(DataType::kFloat32, {2, 3}));
  AddOp(&g, OpKind::kMatMul, "mm", {x2, w2}, {y2});
  g.inputs = {x, x2};
  g.outputs = {y, y2};
  const std::vector<Tensor> inputs = {RandomFloats({1, 3, 5, 5}, -1.0f, 2.0f, 12),
                                      RandomFloats({2, 8}, -3.0f, 1.0f, 13)};
  TempDir dir;
  Exported e = ExportAndRun(g, inputs, dir, "hybrid");
  ASSERT_TRUE(e.ort.ok);
  EXPECT_EQ(e.ort.optimized_ops.count("ConvInteger"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("MatMulInteger") + e.ort.optimized_ops.count("DynamicQuantizeMatMul"),
            1u);
  ASSERT_EQ(e.qforge.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const double err = testing::MaxRelError(e.ort.outputs[i], e.qforge[i]);
    EXPECT_GE(err, 0) << "output " << i;
    EXPECT_LE(err, kHybridTolerance) << "output " << i;
  }
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

// --- (5) weight-only int8 and float16 need nothing special ------------------

TEST(OnnxQdq, WeightOnlyAndFloat16) {
  ir::Graph g;
  g.name = "weights";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {1, 2, 4, 4}));
  const ir::ValueId wq = AddQConst(&g, "w_q", RandomInts(DataType::kInt8, {3, 2, 1, 1}, -127, 127, 14),
                                   PerAxis({0.1f, 0.2f, 0.05f}, 0));
  const ir::ValueId ws = g.AddConstant("w_s", testing::MakeTensor(DataType::kFloat32, {3}, {0.1, 0.2, 0.05}));
  const ir::ValueId wz = g.AddConstant("w_z", testing::MakeTensor(DataType::kInt8, {3}, {0, 0, 0}));
  const ir::ValueId w = g.AddValue("w", QType(DataType::kFloat32, {3, 2, 1, 1}));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kFloat32, {1, 3, 4, 4}));
  ir::Attributes dq;
  dq.Set("axis", int64_t{0});
  AddOp(&g, OpKind::kDequantizeLinear, "w_dequantize", {wq, ws, wz}, {w}, dq);
  ir::Attributes conv;
  conv.Set(quant::kActivationMin, -1.0f);  // a float op's fused Clip(-1, 1)
  conv.Set(quant::kActivationMax, 1.0f);
  AddOp(&g, OpKind::kConv, "conv", {x, w}, {y}, conv);
  const ir::ValueId h =
      g.AddConstant("h", testing::MakeTensor(DataType::kFloat16, {4, 2}, {1, -2, 0.5, 3, 1, 1, -1, 0.25}));
  const ir::ValueId hf = g.AddValue("h_float", QType(DataType::kFloat32, {4, 2}));
  const ir::ValueId z = g.AddValue("z", QType(DataType::kFloat32, {1, 3, 4, 2}));
  ir::Attributes cast;
  cast.Set("to", static_cast<int64_t>(DataType::kFloat32));
  AddOp(&g, OpKind::kCast, "h_cast", {h}, {hf}, cast);
  AddOp(&g, OpKind::kMatMul, "mm", {y, hf}, {z});
  g.inputs = {x};
  g.outputs = {z};
  const std::vector<Tensor> inputs = {RandomFloats({1, 2, 4, 4}, -5.0f, 5.0f, 15)};
  TempDir dir;
  Exported e = ExportAndRun(g, inputs, dir, "weights");
  ASSERT_TRUE(e.ort.ok);
  ASSERT_EQ(e.qforge.size(), 1u);
  const double err = testing::MaxRelError(e.ort.outputs[0], e.qforge[0]);
  EXPECT_GE(err, 0);
  EXPECT_LE(err, 1e-6);
  // The file: int8 initializer -> DequantizeLinear(axis 0) -> Conv -> Clip,
  // float16 initializer -> Cast -> MatMul.
  std::ifstream f(e.path, std::ios::binary);
  std::stringstream bytes;
  bytes << f.rdbuf();
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(bytes.str()));
  std::vector<std::string> ops;
  for (const onnx::NodeProto& n : m.graph().node()) ops.push_back(n.op_type());
  EXPECT_EQ(ops, (std::vector<std::string>{"DequantizeLinear", "Conv", "Clip", "Cast", "MatMul"}));
  ASSERT_EQ(m.graph().node(0).attribute_size(), 1);
  EXPECT_EQ(m.graph().node(0).attribute(0).i(), 0);
  for (const onnx::TensorProto& t : m.graph().initializer()) {
    if (t.name() == "w_q") EXPECT_EQ(t.data_type(), onnx::TensorProto::INT8);
    if (t.name() == "h") EXPECT_EQ(t.data_type(), onnx::TensorProto::FLOAT16);
  }
  // Read back, the weight-only DequantizeLinear stays (nothing to fold).
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(e.back->nodes[0].op, OpKind::kDequantizeLinear);
  EXPECT_EQ(e.back->nodes[1].op, OpKind::kConv);
}

// Hybrid Gemm with transB: MatMulInteger has no transB, so the writer
// transposes the int8 weight; read back it is a Gemm with transB 0 on the
// transposed weight (per channel along axis 1), computing the same.
TEST(OnnxQdq, HybridGemmTransB) {
  ir::Graph g;
  g.name = "hybrid_gemm";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {3, 6}));
  const ir::ValueId w = AddQConst(&g, "w", RandomInts(DataType::kInt8, {4, 6}, -127, 127, 18),
                                  PerAxis({0.01f, 0.03f, 0.02f, 0.005f}, 0));
  const ir::ValueId b = g.AddConstant("b", RandomFloats({4}, -1.0f, 1.0f, 19));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kFloat32, {3, 4}));
  ir::Attributes attrs;
  attrs.Set("transB", int64_t{1});
  AddOp(&g, OpKind::kGemm, "fc", {x, w, b}, {y}, attrs);
  g.inputs = {x};
  g.outputs = {y};
  const std::vector<Tensor> inputs = {RandomFloats({3, 6}, -2.0f, 2.0f, 20)};
  TempDir dir;
  Exported e = ExportAndRun(g, inputs, dir, "hybrid_gemm");
  ASSERT_TRUE(e.ort.ok);
  ASSERT_EQ(e.qforge.size(), 1u);
  EXPECT_GE(testing::MaxRelError(e.ort.outputs[0], e.qforge[0]), 0);
  EXPECT_LE(testing::MaxRelError(e.ort.outputs[0], e.qforge[0]), kHybridTolerance);
  ASSERT_NE(e.back, nullptr);
  ASSERT_EQ(e.back->nodes.size(), 1u) << ir::PrintGraph(*e.back);
  const ir::Node& n = e.back->nodes[0];
  EXPECT_EQ(n.op, OpKind::kGemm);
  EXPECT_EQ(n.attrs.GetInt("transB", 0), 0);
  const ir::Value& wt = e.back->value(n.inputs[1]);
  ASSERT_TRUE(wt.is_constant());
  EXPECT_EQ(wt.constant->dims(), (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(wt.constant->quant().axis, 1);
  std::vector<Tensor> back_out = RunQforge(*e.back, inputs);
  ASSERT_EQ(back_out.size(), 1u);
  EXPECT_LE(testing::MaxRelError(back_out[0], e.qforge[0]), kHybridTolerance);
}

}  // namespace
}  // namespace qforge
