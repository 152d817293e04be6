// ActivationsToInt8: uint8 activations become int8 with Z - 128, which is
// bit-exact on every shift-exact integer kernel; uint8-only kernels
// (AveragePool) keep uint8 behind Requantizes, graph I/O keeps its type.
#include <gtest/gtest.h>

#include <string>

#include "passes/int8_activations.h"
#include "passes/layout_nhwc.h"
#include "runtime_passes_test_util.h"

namespace qforge {
namespace {

using runtime_passes_test::CountOps;
using runtime_passes_test::ExpectBitExact;
using runtime_passes_test::GraphBuilder;
using runtime_passes_test::RandomInputs;

bool IsIo(const ir::Graph& g, ir::ValueId id) {
  for (ir::ValueId v : g.inputs) {
    if (v == id) return true;
  }
  for (ir::ValueId v : g.outputs) {
    if (v == id) return true;
  }
  return false;
}

// uint8 activations left, other than graph I/O and those an op of kind
// `except` reads or writes.
int Uint8Left(const ir::Graph& g, OpKind except) {
  std::vector<char> near_except(g.values.size(), 0);
  for (const ir::Node& n : g.nodes) {
    if (n.op != except) continue;
    for (ir::ValueId v : n.inputs) near_except[static_cast<size_t>(v)] = 1;
    for (ir::ValueId v : n.outputs) near_except[static_cast<size_t>(v)] = 1;
  }
  int left = 0;
  for (size_t i = 0; i < g.values.size(); ++i) {
    const ir::Value& v = g.values[i];
    if (v.is_constant() || v.type.dtype != DataType::kUInt8 || v.type.quant.empty()) continue;
    if (IsIo(g, static_cast<ir::ValueId>(i)) || near_except[i]) continue;
    ++left;
  }
  return left;
}

// Converts a copy, checks I/O types and names stay, uint8 is gone but for
// `uint8_op`'s values, and outputs are bit-identical.
ir::Graph ExpectInt8(const ir::Graph& g, uint32_t seed, OpKind uint8_op = OpKind::kCount) {
  ir::Graph after = g;
  passes::Int8ActivationsReport report;
  const Status s = passes::ActivationsToInt8(after, &report);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_GT(report.converted, 0);
  EXPECT_EQ(Uint8Left(after, uint8_op), 0);
  EXPECT_EQ(CountOps(after, OpKind::kRequantize) - CountOps(g, OpKind::kRequantize), report.requantizes);
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    EXPECT_EQ(after.value(after.inputs[i]).name, g.value(g.inputs[i]).name);
    EXPECT_EQ(after.value(after.inputs[i]).type.dtype, g.value(g.inputs[i]).type.dtype);
    EXPECT_EQ(after.value(after.inputs[i]).type.quant, g.value(g.inputs[i]).type.quant);
  }
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    EXPECT_EQ(after.value(after.outputs[i]).name, g.value(g.outputs[i]).name);
    EXPECT_EQ(after.value(after.outputs[i]).type.dtype, g.value(g.outputs[i]).type.dtype);
  }
  ExpectBitExact(g, after, RandomInputs(g, seed));
  return after;
}

TEST(Int8ActivationsTest, BundledUint8ModelsRunInt8BitExact) {
  for (const char* name : {"cnn", "mobilenet", "resnet"}) {
    SCOPED_TRACE(name);
    auto prepared = runtime_passes_test::PreparedModel(name);
    ASSERT_NE(prepared, nullptr);
    const auto ranges = runtime_passes_test::CalibratedRanges(prepared);
    ir::Graph u8 = runtime_passes_test::Quantized(*prepared, ranges, DataType::kUInt8);
    ASSERT_FALSE(u8.nodes.empty());
    // Float I/O: only the QuantizeLinear / DequantizeLinear zero points move.
    ir::Graph i8 = ExpectInt8(u8, 1);
    EXPECT_EQ(CountOps(i8, OpKind::kRequantize), CountOps(u8, OpKind::kRequantize));
    // Both requantization rules (qforge's and the QDQ ONNX one).
    u8.requantization = ir::Requantization::kFloat;
    ExpectInt8(u8, 2);
    // uint8 graph I/O: one Requantize at each boundary.
    const ir::Graph io = runtime_passes_test::Quantized(*prepared, ranges, DataType::kUInt8,
                                                        quant::QuantMode::kInt8Only, DataType::kUInt8);
    ASSERT_FALSE(io.nodes.empty());
    const ir::Graph io8 = ExpectInt8(io, 3);
    EXPECT_EQ(CountOps(io8, OpKind::kRequantize), 2);
    // Then NHWC: still the same outputs as the uint8 NCHW graph.
    ir::Graph nhwc = io8;
    ASSERT_TRUE(passes::ConvertToNhwc(nhwc, [](const ir::Node&) { return true; }).ok());
    ExpectBitExact(io, nhwc, RandomInputs(io, 4));
  }
}

// Every op family whose integer kernel looks at raw q: Pad with a constant,
// AveragePool (uint8 only), MaxPool, Concat of differently scaled inputs,
// nearest Resize, Sigmoid / Tanh / Clip / HardSwish tables, Gather, Add,
// Mul, Softmax, GlobalAveragePool; two outputs, one read inside too.
ir::Graph RawQGraph() {
  GraphBuilder b(9);
  const ir::ValueId x = b.Input("x", {2, 3, 8, 8});
  ir::Attributes same;
  same.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  const ir::ValueId conv =
      b.Op(OpKind::kConv, "conv", {x, b.Weight("w", {4, 3, 3, 3}), b.Weight("b", {4})}, same);
  const ir::ValueId relu = b.Op(OpKind::kRelu, "relu", {conv});
  ir::Attributes constant;
  constant.Set("mode", std::string("constant"));
  Tensor fill(DataType::kFloat32, {});
  fill.data<float>()[0] = 0.75f;
  const ir::ValueId pad =
      b.Op(OpKind::kPad, "pad", {relu, b.Ints("pads", {0, 0, 0, 0, 0, 0, 1, 1}), b.Constant("fill", fill)},
           constant);
  // An even window: TFLite's uint8 and int8 averages round its ties apart.
  ir::Attributes avg;
  avg.Set("kernel_shape", std::vector<int64_t>{2, 2});
  const ir::ValueId ap = b.Op(OpKind::kAveragePool, "avgpool", {pad}, avg);
  ir::Attributes mx;
  mx.Set("kernel_shape", std::vector<int64_t>{2, 2});
  mx.Set("pads", std::vector<int64_t>{0, 0, 1, 1});
  const ir::ValueId mp = b.Op(OpKind::kMaxPool, "maxpool", {conv}, mx);
  ir::Attributes axis1;
  axis1.Set("axis", int64_t{1});
  const ir::ValueId cat = b.Op(OpKind::kConcat, "concat", {ap, mp}, axis1);
  Tensor scales(DataType::kFloat32, {4});
  for (int i = 0; i < 4; ++i) scales.data<float>()[i] = i < 2 ? 1.0f : 2.0f;
  const ir::ValueId res =
      b.Op(OpKind::kResize, "resize", {cat, ir::kNoValue, b.Constant("scales", scales)}, ir::Attributes{});
  const ir::ValueId sig = b.Op(OpKind::kSigmoid, "sigmoid", {res});
  const ir::ValueId tanh = b.Op(OpKind::kTanh, "tanh", {res});
  Tensor lo(DataType::kFloat32, {}), hi(DataType::kFloat32, {});
  lo.data<float>()[0] = -0.5f;
  hi.data<float>()[0] = 1.0f;
  const ir::ValueId clip = b.Op(OpKind::kClip, "clip", {res, b.Constant("lo", lo), b.Constant("hi", hi)});
  const ir::ValueId gather = b.Op(OpKind::kGather, "gather", {sig, b.Ints("idx", {0, 2, 5})}, axis1);
  const ir::ValueId add = b.Op(OpKind::kAdd, "add", {tanh, clip});
  const ir::ValueId hs = b.Op(OpKind::kHardSwish, "hardswish", {add});
  const ir::ValueId mul = b.Op(OpKind::kMul, "mul", {hs, sig});
  const ir::ValueId sm = b.Op(OpKind::kSoftmax, "softmax", {mul}, axis1);
  const ir::ValueId gap = b.Op(OpKind::kGlobalAveragePool, "gap", {sm});
  const ir::ValueId gap2 = b.Op(OpKind::kGlobalAveragePool, "gap_gather", {gather});
  return b.Finish({gap, gather, gap2});
}

TEST(Int8ActivationsTest, RawQOpsStayExact) {
  const ir::Graph g = RawQGraph();
  const auto ranges = runtime_passes_test::UniformRanges(g, -2.0f, 2.0f);
  for (quant::QuantMode mode : {quant::QuantMode::kInt8, quant::QuantMode::kInt8Only}) {
    SCOPED_TRACE(quant::QuantModeName(mode));
    ir::Graph u8 = runtime_passes_test::Quantized(g, ranges, DataType::kUInt8, mode, DataType::kUInt8);
    ASSERT_FALSE(u8.nodes.empty());
    ASSERT_EQ(CountOps(u8, OpKind::kQuantizeLinear) + CountOps(u8, OpKind::kDequantizeLinear),
              mode == quant::QuantMode::kInt8 ? 4 : 0);
    const ir::Graph i8 = ExpectInt8(u8, 11, OpKind::kAveragePool);
    // AveragePool keeps uint8: one Requantize in and one out.
    const auto readers = i8.ComputeConsumers();
    for (const ir::Node& n : i8.nodes) {
      if (n.op != OpKind::kAveragePool) continue;
      const ir::Value& in = i8.value(n.inputs[0]);
      EXPECT_EQ(in.type.dtype, DataType::kUInt8);
      ASSERT_NE(in.producer, ir::kNoNode);
      EXPECT_EQ(i8.node(in.producer).op, OpKind::kRequantize);
      const auto& out_readers = readers[static_cast<size_t>(n.outputs[0])];
      ASSERT_EQ(out_readers.size(), 1u);
      EXPECT_EQ(i8.node(out_readers[0]).op, OpKind::kRequantize);
    }
    u8.requantization = ir::Requantization::kFloat;
    ExpectInt8(u8, 12, OpKind::kAveragePool);
  }
}

}  // namespace
}  // namespace qforge
