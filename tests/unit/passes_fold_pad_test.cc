// FoldPadIntoConv: a constant Pad of the spatial dims becomes the pads of
// the Conv / AveragePool / MaxPool reading it, directly or through the
// TFLite reader's Transpose to NCHW, and the graph computes bit-identical
// outputs on the reference runtime (float and integer).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/tflite/read/tflite_reader.h"
#include "passes/fold_pad.h"
#include "passes_test_util.h"
#include "tflite_writer_test_util.h"

namespace qforge {
namespace {

using passes_test::CountOps;
using passes_test::ExpectSameOutputs;
using passes_test::NodeNamed;
using passes_test::RandomInputs;

ir::TensorType TypeOf(DataType dtype, std::vector<int64_t> dims, QuantParams q = {}) {
  ir::TensorType t;
  t.dtype = dtype;
  t.rank_known = !dims.empty();  // empty: left to shape inference
  t.dims = std::move(dims);
  t.quant = std::move(q);
  return t;
}

QuantParams PerTensor(float scale, int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

Tensor RandomFloats(std::vector<int64_t> dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t(DataType::kFloat32, std::move(dims));
  for (float& v : t.span<float>()) v = dist(rng);
  return t;
}

ir::ValueId AddNode(ir::Graph* g, const std::string& name, OpKind op, std::vector<ir::ValueId> ins,
                    ir::TensorType out, ir::Attributes attrs = {}) {
  const ir::ValueId y = g->AddValue(name + "_out", std::move(out));
  ir::Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(ins);
  n.outputs = {y};
  n.attrs = std::move(attrs);
  g->AddNode(std::move(n));
  return y;
}

ir::ValueId Pads(ir::Graph* g, const std::string& name, std::vector<int64_t> pads) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(pads.size())});
  for (size_t i = 0; i < pads.size(); ++i) t.data<int64_t>()[i] = pads[i];
  return g->AddConstant(name, std::move(t));
}

ir::ValueId Scalar(ir::Graph* g, const std::string& name, DataType dtype, double v) {
  return g->AddConstant(name, testing::MakeTensor(dtype, {}, {v}));
}

ir::Attributes Window(std::vector<int64_t> kernel, std::vector<int64_t> strides, std::vector<int64_t> pads) {
  ir::Attributes a;
  if (!kernel.empty()) a.Set("kernel_shape", std::move(kernel));
  a.Set("strides", std::move(strides));
  if (!pads.empty()) a.Set("pads", std::move(pads));
  return a;
}

// x [1, 3, 8, 8] float, four Pads: into a Conv with pads of its own, into
// an AveragePool that does not count pads, a -inf Pad into a MaxPool, and a
// Pad of 0.5 that no window op can express (it stays).
ir::Graph FloatGraph() {
  ir::Graph g;
  g.name = "fold_pad_float";
  const ir::ValueId x = g.AddValue("x", TypeOf(DataType::kFloat32, {1, 3, 8, 8}));
  g.inputs = {x};
  const ir::ValueId w = g.AddConstant("w", RandomFloats({4, 3, 3, 3}, 1));
  const ir::ValueId b = g.AddConstant("b", RandomFloats({4}, 2));
  const ir::ValueId p1 = AddNode(&g, "pad_conv", OpKind::kPad, {x, Pads(&g, "p1", {0, 0, 1, 2, 0, 0, 2, 1})},
                                 TypeOf(DataType::kFloat32, {1, 3, 11, 11}));
  const ir::ValueId y1 = AddNode(&g, "conv", OpKind::kConv, {p1, w, b}, TypeOf(DataType::kFloat32, {}),
                                 Window({}, {2, 1}, {1, 0, 0, 1}));
  const ir::ValueId p2 = AddNode(&g, "pad_avg", OpKind::kPad, {x, Pads(&g, "p2", {0, 0, 1, 1, 0, 0, 1, 1})},
                                 TypeOf(DataType::kFloat32, {1, 3, 10, 10}));
  const ir::ValueId y2 = AddNode(&g, "avg", OpKind::kAveragePool, {p2}, TypeOf(DataType::kFloat32, {}),
                                 Window({3, 3}, {1, 1}, {}));
  const ir::ValueId p3 = AddNode(
      &g, "pad_max", OpKind::kPad,
      {x, Pads(&g, "p3", {0, 0, 1, 0, 0, 0, 0, 1}), Scalar(&g, "ninf", DataType::kFloat32, -INFINITY)},
      TypeOf(DataType::kFloat32, {1, 3, 9, 9}));
  const ir::ValueId y3 =
      AddNode(&g, "max", OpKind::kMaxPool, {p3}, TypeOf(DataType::kFloat32, {}), Window({2, 2}, {2, 2}, {}));
  const ir::ValueId p4 =
      AddNode(&g, "pad_keep", OpKind::kPad,
              {x, Pads(&g, "p4", {0, 0, 1, 1, 0, 0, 1, 1}), Scalar(&g, "half", DataType::kFloat32, 0.5)},
              TypeOf(DataType::kFloat32, {1, 3, 10, 10}));
  const ir::ValueId y4 = AddNode(&g, "conv_keep", OpKind::kConv, {p4, w}, TypeOf(DataType::kFloat32, {}));
  g.outputs = {y1, y2, y3, y4};
  return g;
}

TEST(FoldPadTest, FloatConvAveragePoolMaxPoolBitExact) {
  const ir::Graph before = FloatGraph();
  ASSERT_TRUE(ir::VerifyGraph(before).ok());
  ir::Graph after = before;
  passes::FoldPadReport r;
  ASSERT_TRUE(passes::FoldPadIntoConv(&after, &r).ok());
  EXPECT_EQ(r.pads_folded, 3);
  EXPECT_EQ(r.into_conv, 1);
  EXPECT_EQ(r.into_average_pool, 1);
  EXPECT_EQ(r.into_max_pool, 1);
  EXPECT_EQ(r.through_transpose, 0);
  EXPECT_EQ(CountOps(after, OpKind::kPad), 1);
  ASSERT_NE(NodeNamed(after, "pad_keep"), nullptr);
  const ir::Node* conv = NodeNamed(after, "conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->attrs.GetInts("pads"), (std::vector<int64_t>{2, 2, 2, 2}));
  const ir::Node* avg = NodeNamed(after, "avg");
  ASSERT_NE(avg, nullptr);
  EXPECT_EQ(avg->attrs.GetInt("count_include_pad", 0), 1);
  ExpectSameOutputs(before, after, RandomInputs(before, 3), 0.0);
}

TEST(FoldPadTest, LeavesWhatItCannotExpress) {
  // FloatGraph's nodes: pad_conv, conv, pad_avg, avg, pad_max, max, pad_keep, conv_keep.
  ir::Graph channel = FloatGraph();
  channel.node(0).inputs[1] = Pads(&channel, "pb", {1, 0, 0, 0, 0, 0, 0, 0});  // pads the batch
  ir::Graph other = FloatGraph();
  other.node(0).attrs.Set("mode", std::string("reflect"));
  other.node(3).attrs.Set("pads", std::vector<int64_t>{1, 1, 1, 1});  // own pads, not counted
  other.outputs.push_back(other.node(4).outputs[0]);                  // pad_max's output is seen
  passes::FoldPadReport r1, r2;
  ir::Graph channel_after = channel, other_after = other;
  ASSERT_TRUE(passes::FoldPadIntoConv(&channel_after, &r1).ok());
  ASSERT_TRUE(passes::FoldPadIntoConv(&other_after, &r2).ok());
  EXPECT_EQ(r1.pads_folded, 2);  // avg and max
  EXPECT_NE(NodeNamed(channel_after, "pad_conv"), nullptr);
  EXPECT_EQ(r2.pads_folded, 0);
  EXPECT_EQ(CountOps(other_after, OpKind::kPad), 4);
  ExpectSameOutputs(channel, channel_after, RandomInputs(channel, 4), 0.0);
}

// x float -> QuantizeLinear (S 0.02, Z 5) -> Pad (fill Z) -> int8 Conv, and
// -> Pad (fill -128) -> MaxPool; a Pad with fill Z + 1 stays.
TEST(FoldPadTest, IntegerConvAndMaxPoolBitExact) {
  ir::Graph g;
  const QuantParams xq = PerTensor(0.02f, 5);
  const ir::ValueId x = g.AddValue("x", TypeOf(DataType::kFloat32, {1, 3, 8, 8}));
  g.inputs = {x};
  const ir::ValueId q =
      AddNode(&g, "quantize", OpKind::kQuantizeLinear,
              {x, Scalar(&g, "xs", DataType::kFloat32, 0.02), Scalar(&g, "xz", DataType::kInt8, 5)},
              TypeOf(DataType::kInt8, {1, 3, 8, 8}, xq));
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> wdist(-127, 127);
  Tensor w(DataType::kInt8, {4, 3, 3, 3});
  for (int8_t& v : w.span<int8_t>()) v = static_cast<int8_t>(wdist(rng));
  QuantParams wq;
  wq.scale = {0.01f, 0.02f, 0.005f, 0.03f};
  wq.zero_point = {0, 0, 0, 0};
  wq.axis = 0;
  w.set_quant(wq);
  const ir::ValueId wv = g.AddConstant("w", std::move(w));
  const QuantParams yq = PerTensor(0.05f, -3);
  ir::ValueId outs[3];
  const int64_t fills[3] = {5, -128, 6};
  for (int i = 0; i < 3; ++i) {
    const std::string s = std::to_string(i);
    const ir::ValueId p = AddNode(&g, "pad" + s, OpKind::kPad,
                                  {q, Pads(&g, "pads" + s, {0, 0, 1, 1, 0, 0, 1, 1}),
                                   Scalar(&g, "fill" + s, DataType::kInt8, static_cast<double>(fills[i]))},
                                  TypeOf(DataType::kInt8, {1, 3, 10, 10}, xq));
    const ir::ValueId y =
        i == 1 ? AddNode(&g, "max", OpKind::kMaxPool, {p}, TypeOf(DataType::kInt8, {}, xq),
                         Window({3, 3}, {2, 2}, {}))
               : AddNode(&g, "conv" + s, OpKind::kConv, {p, wv}, TypeOf(DataType::kInt8, {}, yq));
    const QuantParams& oq = i == 1 ? xq : yq;
    outs[i] = AddNode(&g, "dequantize" + s, OpKind::kDequantizeLinear,
                      {y, Scalar(&g, "ys" + s, DataType::kFloat32, oq.scale[0]),
                       Scalar(&g, "yz" + s, DataType::kInt8, static_cast<double>(oq.zero_point[0]))},
                      TypeOf(DataType::kFloat32, {}));
  }
  g.outputs = {outs[0], outs[1], outs[2]};
  ASSERT_TRUE(ir::VerifyGraph(g).ok());
  ir::Graph after = g;
  passes::FoldPadReport r;
  ASSERT_TRUE(passes::FoldPadIntoConv(&after, &r).ok());
  EXPECT_EQ(r.pads_folded, 2);
  EXPECT_EQ(r.into_conv, 1);
  EXPECT_EQ(r.into_max_pool, 1);
  EXPECT_NE(NodeNamed(after, "pad2"), nullptr);
  ExpectSameOutputs(g, after, RandomInputs(g, 6), 0.0);
}

// The real case: a model qforge writes to .tflite gets an explicit PAD
// before each stride-2 convolution whose pads are not TFLite's SAME (the
// Fashion MobileNet's, like torchvision's MobileNetV2), read back as
// Pad (NHWC) -> Transpose(to NCHW) -> Conv.
void ExpectTfliteFolds(const ir::Graph& source, int want_pads) {
  const std::string bytes = tflite_writer_test::Serialize(source);
  auto read = io::ReadTfliteFromBytes(bytes, "roundtrip.tflite");
  ASSERT_TRUE(read.ok()) << read.status().message();
  const ir::Graph& before = **read;
  ASSERT_EQ(CountOps(before, OpKind::kPad), want_pads);
  ir::Graph after = before;
  passes::FoldPadReport r;
  ASSERT_TRUE(passes::FoldPadIntoConv(&after, &r).ok());
  EXPECT_EQ(r.pads_folded, want_pads);
  EXPECT_EQ(r.through_transpose, want_pads);
  EXPECT_EQ(CountOps(after, OpKind::kPad), 0);
  ExpectSameOutputs(before, after, RandomInputs(before, 9), 0.0);
}

TEST(FoldPadTest, TfliteMobilenetFloatInt8Dynamic) {
  auto f = tflite_writer_test::Bundled("mobilenet");
  ASSERT_NE(f, nullptr);
  ExpectTfliteFolds(*f, 2);
  // int8: integer Convs padding with Z_x; dynamic: hybrid Convs (float in, int8 weights).
  for (quant::QuantMode mode : {quant::QuantMode::kInt8, quant::QuantMode::kDynamic}) {
    Result<ir::Graph> q = tflite_writer_test::Quantized("mobilenet", mode);
    ASSERT_TRUE(q.ok()) << q.status().message();
    ExpectTfliteFolds(*q, 2);
  }
}

// pools_pads: PADV2(-inf) before a MaxPool and PAD before a counting AveragePool.
TEST(FoldPadTest, TflitePoolsPads) {
  auto f = tflite_writer_test::LayoutModel("pools_pads");
  ASSERT_NE(f, nullptr);
  const std::string bytes = tflite_writer_test::Serialize(*f);
  auto read = io::ReadTfliteFromBytes(bytes, "pools_pads.tflite");
  ASSERT_TRUE(read.ok()) << read.status().message();
  ir::Graph after = **read;
  passes::FoldPadReport r;
  ASSERT_TRUE(passes::FoldPadIntoConv(&after, &r).ok());
  EXPECT_EQ(r.into_max_pool, 1);
  EXPECT_EQ(r.into_average_pool, 1);
  ExpectSameOutputs(**read, after, RandomInputs(**read, 10), 0.0);
}

}  // namespace
}  // namespace qforge
