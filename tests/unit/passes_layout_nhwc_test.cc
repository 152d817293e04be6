// ConvertToNhwc: spatial ops run channels-last between Transposes that
// SinkTransposes cancels; the reference interpreter computes bit-identical
// outputs before and after, in float and in both quantized activation types.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/opt_kernel.h"
#include "passes/layout_nhwc.h"
#include "runtime_passes_test_util.h"

namespace qforge {
namespace {

using runtime_passes_test::CountOps;
using runtime_passes_test::ExpectBitExact;
using runtime_passes_test::GraphBuilder;
using runtime_passes_test::RandomInputs;

bool Any(const ir::Node&) { return true; }

int NhwcNodes(const ir::Graph& g) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.attrs.GetString(passes::kLayoutAttr, "") == "NHWC";
  return n;
}

int SpatialNodes(const ir::Graph& g) {
  return CountOps(g, OpKind::kConv) + CountOps(g, OpKind::kMaxPool) + CountOps(g, OpKind::kAveragePool) +
         CountOps(g, OpKind::kGlobalAveragePool);
}

// Converts a copy of `g`, checks every spatial op went NHWC, that
// `transposes` Transposes remain, and that outputs are bit-identical.
ir::Graph ExpectConverted(const ir::Graph& g, int transposes, uint32_t seed) {
  ir::Graph after = g;
  passes::LayoutReport report;
  const Status s = passes::ConvertToNhwc(after, Any, &report);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(report.converted, SpatialNodes(g));
  EXPECT_EQ(NhwcNodes(after), SpatialNodes(g));
  EXPECT_EQ(report.transposes, transposes);
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), transposes);
  EXPECT_EQ(after.value(after.inputs[0]).name, g.value(g.inputs[0]).name);
  EXPECT_EQ(after.value(after.outputs[0]).name, g.value(g.outputs[0]).name);
  // Every input and output of an NHWC op is tagged so (the residual Adds
  // between them too).
  for (const ir::Node& n : after.nodes) {
    if (n.attrs.Has(passes::kLayoutAttr) || n.op == OpKind::kAdd) {
      EXPECT_EQ(after.value(n.outputs[0]).type.layout, ir::Layout::kNHWC) << n.name;
    }
    if (n.attrs.Has(passes::kLayoutAttr)) {
      EXPECT_EQ(after.value(n.inputs[0]).type.layout, ir::Layout::kNHWC) << n.name;
    }
  }
  ExpectBitExact(g, after, RandomInputs(g, seed));
  return after;
}

struct ModelCase {
  const char* name;
  // Transposes left: the one before Flatten in cnn (7x7 spatial). The input
  // ones move a single channel and the ones after a global pool a 1x1 map:
  // both are Reshapes.
  int transposes;
};
const ModelCase kModels[] = {{"cnn", 1}, {"mobilenet", 0}, {"resnet", 0}};

TEST(LayoutNhwcTest, BundledFloatModels) {
  for (const ModelCase& m : kModels) {
    SCOPED_TRACE(m.name);
    Result<Model> model = Model::Load(testing::SourcePath(std::string("models/") + m.name + ".onnx"));
    ASSERT_TRUE(model.ok()) << model.status().message();
    ir::Graph after = ExpectConverted(model->graph(), m.transposes, 1);
    // The residual fan-out (a value read by a Conv and an Add) is handled too.
    EXPECT_EQ(CountOps(after, OpKind::kAdd), CountOps(model->graph(), OpKind::kAdd));
    EXPECT_TRUE(passes::CheckNoRuntimeLayout(model->graph()).ok());
    const Status refused = passes::CheckNoRuntimeLayout(after);
    EXPECT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find("qf_layout"), std::string::npos) << refused.message();
  }
}

TEST(LayoutNhwcTest, BundledQuantizedModelsInt8AndUint8) {
  for (const ModelCase& m : kModels) {
    SCOPED_TRACE(m.name);
    auto prepared = runtime_passes_test::PreparedModel(m.name);
    ASSERT_NE(prepared, nullptr);
    const auto ranges = runtime_passes_test::CalibratedRanges(prepared);
    for (DataType act : {DataType::kInt8, DataType::kUInt8}) {
      SCOPED_TRACE(DataTypeName(act));
      const ir::Graph q = runtime_passes_test::Quantized(*prepared, ranges, act);
      ASSERT_FALSE(q.nodes.empty());
      ExpectConverted(q, m.transposes, 2);
    }
    // Integer graph I/O: the first Transpose reads the int8 input itself.
    const ir::Graph only =
        runtime_passes_test::Quantized(*prepared, ranges, DataType::kInt8, quant::QuantMode::kInt8Only);
    ExpectConverted(only, m.transposes, 3);
  }
}

// Strided, padded, dilated and depthwise convs, both windowed pools with
// pads, a residual Add whose input also feeds a Conv, a channel Concat and
// a global pool: one NHWC island between one Transpose in and one Reshape out.
ir::Graph SyntheticGraph() {
  GraphBuilder b(5);
  const ir::ValueId x = b.Input("x", {2, 4, 11, 13});
  ir::Attributes strided;
  strided.Set("strides", std::vector<int64_t>{2, 1});
  strided.Set("pads", std::vector<int64_t>{1, 0, 2, 1});
  strided.Set("dilations", std::vector<int64_t>{1, 2});
  const ir::ValueId c1 =
      b.Op(OpKind::kConv, "conv_strided", {x, b.Weight("w1", {6, 4, 3, 3}), b.Weight("b1", {6})}, strided);
  const ir::ValueId r1 = b.Op(OpKind::kRelu, "relu1", {c1});
  ir::Attributes dw;
  dw.Set("group", int64_t{6});
  dw.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  const ir::ValueId c2 = b.Op(OpKind::kConv, "conv_dw", {r1, b.Weight("w2", {6, 1, 3, 3})}, dw);
  const ir::ValueId add = b.Op(OpKind::kAdd, "residual", {c2, r1});
  ir::Attributes avg;
  avg.Set("kernel_shape", std::vector<int64_t>{3, 3});
  avg.Set("strides", std::vector<int64_t>{2, 2});
  avg.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  avg.Set("count_include_pad", int64_t{1});
  const ir::ValueId ap = b.Op(OpKind::kAveragePool, "avgpool", {add}, avg);
  ir::Attributes mx;
  mx.Set("kernel_shape", std::vector<int64_t>{2, 3});
  mx.Set("pads", std::vector<int64_t>{0, 1, 1, 1});
  const ir::ValueId mp = b.Op(OpKind::kMaxPool, "maxpool", {add}, mx);
  ir::Attributes grouped;
  grouped.Set("group", int64_t{2});
  grouped.Set("strides", std::vector<int64_t>{2, 2});
  const ir::ValueId c3 = b.Op(OpKind::kConv, "conv_grouped", {mp, b.Weight("w3", {4, 3, 2, 2})}, grouped);
  ir::Attributes axis1;
  axis1.Set("axis", int64_t{1});
  const ir::ValueId cat = b.Op(OpKind::kConcat, "concat", {ap, c3}, axis1);
  const ir::ValueId gap = b.Op(OpKind::kGlobalAveragePool, "gap", {cat});
  const ir::ValueId flat = b.Op(OpKind::kFlatten, "flatten", {gap});
  return b.Finish({flat});
}

TEST(LayoutNhwcTest, SyntheticSpatialOpsFloatAndQuantized) {
  const ir::Graph g = SyntheticGraph();
  ASSERT_EQ(SpatialNodes(g), 6);
  ExpectConverted(g, 1, 4);
  const auto ranges = runtime_passes_test::UniformRanges(g, -3.0f, 3.0f);
  for (DataType act : {DataType::kInt8, DataType::kUInt8}) {
    SCOPED_TRACE(DataTypeName(act));
    ir::Graph q = runtime_passes_test::Quantized(g, ranges, act);
    for (const ir::Node& n : q.nodes) {
      if (SpatialNodes(g) > 0 && (n.op == OpKind::kConv || n.op == OpKind::kAveragePool)) {
        EXPECT_EQ(q.value(n.inputs[0]).type.dtype, act) << n.name << " is integer";
      }
    }
    ExpectConverted(q, 1, 5);
    q.requantization = ir::Requantization::kFloat;  // the rule of graphs read from QDQ ONNX
    ExpectConverted(q, 1, 6);
  }
}

TEST(LayoutNhwcTest, PredicateChoosesNodes) {
  const ir::Graph g = SyntheticGraph();
  ir::Graph after = g;
  passes::LayoutReport report;
  ASSERT_TRUE(passes::ConvertToNhwc(
                  after, [](const ir::Node& n) { return n.op == OpKind::kConv; }, &report)
                  .ok());
  EXPECT_EQ(report.converted, 3);
  EXPECT_EQ(NhwcNodes(after), 3);
  EXPECT_GT(report.transposes, 1);  // pools stay NCHW, so the islands need their Transposes
  ExpectBitExact(g, after, RandomInputs(g, 7));
  // Nothing wanted: the graph is unchanged.
  ir::Graph none = g;
  ASSERT_TRUE(passes::ConvertToNhwc(
                  none, [](const ir::Node&) { return false; }, &report)
                  .ok());
  EXPECT_EQ(report.converted, 0);
  EXPECT_EQ(CountOps(none, OpKind::kTranspose), 0);
}

// WantsNhwc (the runtime's choice, from the kernel list's NhwcRules) names
// exactly the nodes an optimized kernel takes once channels-last: with every
// spatial node forced NHWC, in float, int8 and hybrid (dynamic) form, the
// others (AveragePool; a grouped hybrid Conv) are left to the reference.
TEST(LayoutNhwcTest, WantsNhwcIsWhatTheKernelListTakes) {
  const ir::Graph g = SyntheticGraph();
  const auto ranges = runtime_passes_test::UniformRanges(g, -3.0f, 3.0f);
  const std::pair<const char*, ir::Graph> forms[] = {
      {"float", g},
      {"int8", runtime_passes_test::Quantized(g, ranges, DataType::kInt8)},
      {"dynamic", runtime_passes_test::Quantized(g, ranges, DataType::kInt8, quant::QuantMode::kDynamic)},
  };
  for (const auto& [what, before] : forms) {
    SCOPED_TRACE(what);
    ir::Graph after = before;
    ASSERT_TRUE(passes::ConvertToNhwc(after, Any).ok());
    runtime::InterpreterOptions o;
    o.optimized = true;
    runtime::Interpreter interp(std::make_shared<const ir::Graph>(after), o);
    ASSERT_TRUE(interp.Run(RandomInputs(after, 4)).ok());
    const std::vector<std::string> kernels = interp.KernelNames();
    int wanted = 0, refused = 0;
    for (size_t i = 0; i < after.nodes.size(); ++i) {
      const ir::Node& n = after.nodes[i];
      if (!n.attrs.Has(passes::kLayoutAttr)) continue;
      const auto original = std::find_if(before.nodes.begin(), before.nodes.end(),
                                         [&](const ir::Node& m) { return m.name == n.name; });
      ASSERT_NE(original, before.nodes.end()) << n.name;
      const bool wants = kernels::opt::WantsNhwc(before, *original);
      (wants ? wanted : refused) += 1;
      EXPECT_EQ(wants, !kernels[i].empty()) << n.name << ": " << kernels[i];
    }
    EXPECT_GE(wanted, 4);
    EXPECT_GE(refused, 1);
  }
}

// The attribute itself, one op without a graph: shape inference and the
// reference kernel read X and write Y channels-last; other values are errors.
TEST(LayoutNhwcTest, SingleConvWithAttributeMatchesNchw) {
  const Tensor x = testing::MakeTensor(
      DataType::kFloat32, {1, 2, 3, 4},
      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12});
  const Tensor w =
      testing::MakeTensor(DataType::kFloat32, {3, 2, 2, 2},
                          {1, 0, 0, 1, 0.5, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 2, 1, 1, 1, 1, -1, 0, 0, 0});
  ir::Attributes attrs;
  attrs.Set("pads", std::vector<int64_t>{1, 0, 0, 1});
  auto nchw = testing::RunSingleOp(OpKind::kConv, attrs, {&x, &w});
  ASSERT_TRUE(nchw.ok()) << nchw.status().message();
  const Tensor& want = (*nchw)[0];
  ASSERT_EQ(want.dims(), (std::vector<int64_t>{1, 3, 3, 4}));
  Tensor x_nhwc(DataType::kFloat32, {1, 3, 4, 2});
  for (int64_t c = 0; c < 2; ++c) {
    for (int64_t i = 0; i < 12; ++i) x_nhwc.data<float>()[i * 2 + c] = x.data<float>()[c * 12 + i];
  }
  attrs.Set(passes::kLayoutAttr, std::string("NHWC"));
  auto nhwc = testing::RunSingleOp(OpKind::kConv, attrs, {&x_nhwc, &w});
  ASSERT_TRUE(nhwc.ok()) << nhwc.status().message();
  const Tensor& got = (*nhwc)[0];
  ASSERT_EQ(got.dims(), (std::vector<int64_t>{1, 3, 4, 3}));
  for (int64_t m = 0; m < 3; ++m) {
    for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(got.data<float>()[i * 3 + m], want.data<float>()[m * 12 + i]);
  }
  attrs.Set(passes::kLayoutAttr, std::string("NCWH"));
  auto bad = testing::RunSingleOp(OpKind::kConv, attrs, {&x_nhwc, &w});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("qf_layout"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace qforge
