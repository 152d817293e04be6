// FuseActivations: Relu / Relu6 / Clip become the clamp attributes of the op
// producing their input, the op takes the activation's output name, and the
// graph computes the same outputs on the reference runtime (which applies a
// fused clamp to float results).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "ops/op_table.h"
#include "passes/fold_batchnorm.h"
#include "passes/fuse_activation.h"
#include "passes_test_util.h"
#include "qscheme/fused_activation.h"

namespace qforge {
namespace {

using passes_test::CountOps;
using passes_test::ExpectSameOutputs;
using passes_test::LoadGraph;
using passes_test::NodeNamed;
using passes_test::OutputNames;
using passes_test::PassModelPath;
using passes_test::ProducerOf;
using passes_test::RandomInputs;

int Activations(const ir::Graph& g) { return CountOps(g, OpKind::kRelu) + CountOps(g, OpKind::kClip); }

TEST(FuseActivationsTest, FusesRelu6AndReluIntoFoldedConvs) {
  auto before = LoadGraph(PassModelPath("conv_bn_relu6"));
  ASSERT_NE(before, nullptr);
  ir::Graph after = *before;
  ASSERT_TRUE(passes::FoldBatchNorm(&after).ok());
  const ir::Graph folded = after;
  ASSERT_EQ(CountOps(folded, OpKind::kClip), 1);
  ASSERT_EQ(CountOps(folded, OpKind::kRelu), 1);
  // The names the activations wrote, which the convs must write now.
  std::string clip_out;
  std::string relu_out;
  for (const ir::Node& n : folded.nodes) {
    if (n.op == OpKind::kClip) clip_out = folded.value(n.outputs[0]).name;
    if (n.op == OpKind::kRelu) relu_out = folded.value(n.outputs[0]).name;
  }
  int fused = -1;
  ASSERT_TRUE(passes::FuseActivations(&after, &fused).ok());
  EXPECT_EQ(fused, 2);
  EXPECT_EQ(Activations(after), 0);
  EXPECT_EQ(passes_test::LiveNodes(after), passes_test::LiveNodes(folded) - 2);
  const ir::Node* relu6_conv = ProducerOf(after, clip_out);
  ASSERT_NE(relu6_conv, nullptr);
  EXPECT_EQ(relu6_conv->op, OpKind::kConv);
  EXPECT_EQ(relu6_conv->attrs.GetFloat(quant::kActivationMin, -1.0f), 0.0f);
  EXPECT_EQ(relu6_conv->attrs.GetFloat(quant::kActivationMax, -1.0f), 6.0f);
  const ir::Node* relu_conv = ProducerOf(after, relu_out);
  ASSERT_NE(relu_conv, nullptr);
  EXPECT_EQ(relu_conv->op, OpKind::kConv);
  EXPECT_EQ(relu_conv->attrs.GetFloat(quant::kActivationMin, -1.0f), 0.0f);
  EXPECT_FALSE(relu_conv->attrs.Has(quant::kActivationMax));
  EXPECT_EQ(OutputNames(after), OutputNames(*before));
  // The clamp is applied to the same float32 values: bit-identical to the
  // folded graph, and within rounding of the original.
  ExpectSameOutputs(folded, after, RandomInputs(*before, 7), 0.0);
  ExpectSameOutputs(*before, after, RandomInputs(*before, 8));
}

TEST(FuseActivationsTest, ClipWithoutMaxAndSharedReluInput) {
  auto before = LoadGraph(PassModelPath("unfoldable"));
  ASSERT_NE(before, nullptr);
  ir::Graph after = *before;
  int fused = -1;
  ASSERT_TRUE(passes::FuseActivations(&after, &fused).ok());
  // clip_min_only onto add, relu_sub onto sub; relu_shared stays because the
  // conv output it reads is also read by add.
  EXPECT_EQ(fused, 2);
  ASSERT_NE(NodeNamed(after, "relu_shared"), nullptr);
  EXPECT_EQ(CountOps(after, OpKind::kRelu), 1);
  EXPECT_EQ(CountOps(after, OpKind::kClip), 0);
  const ir::Node* conv = NodeNamed(after, "conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_FALSE(conv->attrs.Has(quant::kActivationMin));
  const ir::Node* add = NodeNamed(after, "add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->attrs.GetFloat(quant::kActivationMin, -1.0f), 0.5f);
  EXPECT_FALSE(add->attrs.Has(quant::kActivationMax));
  EXPECT_EQ(after.value(add->outputs[0]).name, "a_clipped");
  const ir::Node* sub = NodeNamed(after, "sub");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->attrs.GetFloat(quant::kActivationMin, -1.0f), 0.0f);
  EXPECT_EQ(after.value(sub->outputs[0]).name, "s_relu");
  EXPECT_EQ(OutputNames(after), OutputNames(*before));
  ExpectSameOutputs(*before, after, RandomInputs(*before, 9), 0.0);
}

TEST(FuseActivationsTest, Relu6OnMatMul) {
  auto before = LoadGraph(PassModelPath("dropout_identity"));
  ASSERT_NE(before, nullptr);
  ir::Graph after = *before;
  int fused = -1;
  ASSERT_TRUE(passes::FuseActivations(&after, &fused).ok());
  EXPECT_EQ(fused, 1);
  const ir::Node* mm = NodeNamed(after, "matmul2");
  ASSERT_NE(mm, nullptr);
  EXPECT_EQ(mm->attrs.GetFloat(quant::kActivationMin, -1.0f), 0.0f);
  EXPECT_EQ(mm->attrs.GetFloat(quant::kActivationMax, -1.0f), 6.0f);
  EXPECT_EQ(after.value(mm->outputs[0]).name, "relu6");
  ExpectSameOutputs(*before, after, RandomInputs(*before, 10), 0.0);
}

// Graphs built in code for the cases a pass must refuse.
class FuseActivationsIrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ir::TensorType t;
    t.dtype = DataType::kFloat32;
    t.rank_known = true;
    t.dims = {2, 3};
    type_ = t;
    x_ = g_.AddValue("x", t);
    g_.inputs.push_back(x_);
  }
  ir::ValueId Node(OpKind op, std::vector<ir::ValueId> inputs, const std::string& out_name) {
    ir::Node n;
    n.name = out_name + "_node";
    n.op = op;
    n.inputs = std::move(inputs);
    n.outputs = {g_.AddValue(out_name, type_)};
    const ir::ValueId out = n.outputs[0];
    g_.AddNode(std::move(n));
    return out;
  }
  ir::ValueId Scalar(const std::string& name, float v) {
    return g_.AddConstant(name, testing::MakeTensor(DataType::kFloat32, {}, {v}));
  }
  ir::Graph g_;
  ir::TensorType type_;
  ir::ValueId x_ = ir::kNoValue;
};

TEST_F(FuseActivationsIrTest, DisjointClampsStaySeparate) {
  const ir::ValueId a = Node(OpKind::kAdd, {x_, x_}, "a");
  const ir::ValueId r6 = Node(OpKind::kClip, {a, Scalar("zero", 0), Scalar("six", 6)}, "r6");
  const ir::ValueId hi = Node(OpKind::kClip, {r6, Scalar("seven", 7), Scalar("ten", 10)}, "hi");
  g_.outputs = {hi};
  const ir::Graph before = g_;
  int fused = -1;
  ASSERT_TRUE(passes::FuseActivations(&g_, &fused).ok());
  // Clip(7, 10) after Relu6 yields 7 everywhere; one clamp to the empty
  // intersection [7, 6] could not express that.
  EXPECT_EQ(fused, 1);
  EXPECT_EQ(CountOps(g_, OpKind::kClip), 1);
  ExpectSameOutputs(before, g_, RandomInputs(before, 11), 0.0);
}

TEST_F(FuseActivationsIrTest, NestedClampsIntersect) {
  const ir::ValueId m = Node(OpKind::kMul, {x_, x_}, "m");
  const ir::ValueId r = Node(OpKind::kRelu, {m}, "r");
  const ir::ValueId c = Node(OpKind::kClip, {r, Scalar("lo", -1), Scalar("hi", 2.5f)}, "c");
  g_.outputs = {c};
  const ir::Graph before = g_;
  int fused = -1;
  ASSERT_TRUE(passes::FuseActivations(&g_, &fused).ok());
  EXPECT_EQ(fused, 2);
  const ir::Node* mul = ProducerOf(g_, "c");
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->op, OpKind::kMul);
  EXPECT_EQ(mul->attrs.GetFloat(quant::kActivationMin, -1.0f), 0.0f);
  EXPECT_EQ(mul->attrs.GetFloat(quant::kActivationMax, -1.0f), 2.5f);
  ExpectSameOutputs(before, g_, RandomInputs(before, 12), 0.0);
}

TEST_F(FuseActivationsIrTest, RefusesRunTimeBoundGraphOutputProducerAndOtherOps) {
  // Clip bound from a graph input: not a constant.
  ir::TensorType scalar;
  scalar.dtype = DataType::kFloat32;
  scalar.rank_known = true;
  const ir::ValueId bound = g_.AddValue("bound", scalar);
  g_.inputs.push_back(bound);
  const ir::ValueId a = Node(OpKind::kAdd, {x_, x_}, "a");
  const ir::ValueId c = Node(OpKind::kClip, {a, bound, ir::kNoValue}, "c");
  // Producer output is itself a graph output.
  const ir::ValueId s = Node(OpKind::kSub, {c, x_}, "s");
  const ir::ValueId r = Node(OpKind::kRelu, {s}, "r");
  // Relu after an op that cannot carry a clamp.
  const ir::ValueId e = Node(OpKind::kExp, {r}, "e");
  const ir::ValueId r2 = Node(OpKind::kRelu, {e}, "r2");
  g_.outputs = {s, r2};
  int fused = -1;
  ASSERT_TRUE(passes::FuseActivations(&g_, &fused).ok());
  EXPECT_EQ(fused, 0);
  EXPECT_EQ(CountOps(g_, OpKind::kRelu), 2);
  EXPECT_EQ(CountOps(g_, OpKind::kClip), 1);
}

// The op table's fused_activation column decides which producers take a
// Relu: among the binary ops, Add, Sub and Mul do, Div and the others not.
TEST_F(FuseActivationsIrTest, FusesIntoTheOpsTheTableSays) {
  const std::vector<OpKind> binary = {OpKind::kAdd, OpKind::kSub, OpKind::kMul,
                                      OpKind::kDiv, OpKind::kMax, OpKind::kMin};
  for (OpKind op : binary) {
    const std::string name(OpName(op));
    g_.outputs.push_back(Node(OpKind::kRelu, {Node(op, {x_, x_}, name)}, name + "_relu"));
  }
  ASSERT_TRUE(passes::FuseActivations(&g_).ok());
  for (OpKind op : binary) {
    const ir::Node* p = ProducerOf(g_, std::string(OpName(op)) + "_relu");
    ASSERT_NE(p, nullptr);
    const bool carries = ops::RowOf(op).fused_activation == ops::Fact::kYes;
    EXPECT_EQ(p->op, carries ? op : OpKind::kRelu) << OpName(op);
  }
}

TEST_F(FuseActivationsIrTest, InfiniteClipBoundsAreNoClampOrKept) {
  const float inf = std::numeric_limits<float>::infinity();
  const ir::ValueId a = Node(OpKind::kAdd, {x_, x_}, "a");
  // Clip(-inf, inf) clamps nothing: fused as no clamp at all.
  const ir::ValueId c = Node(OpKind::kClip, {a, Scalar("ninf", -inf), Scalar("pinf", inf)}, "c");
  const ir::ValueId m = Node(OpKind::kMul, {c, x_}, "m");
  // Clip(+inf, ...) maps everything to +inf, which no clamp attribute says.
  const ir::ValueId d = Node(OpKind::kClip, {m, Scalar("pinf2", inf), ir::kNoValue}, "d");
  g_.outputs = {d};
  const ir::Graph before = g_;
  int fused = -1;
  ASSERT_TRUE(passes::FuseActivations(&g_, &fused).ok());
  EXPECT_EQ(fused, 1);
  EXPECT_EQ(CountOps(g_, OpKind::kClip), 1);
  const ir::Node* add = ProducerOf(g_, "c");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->op, OpKind::kAdd);
  EXPECT_TRUE(quant::FusedActivation(*add).unbounded());
  ExpectSameOutputs(before, g_, RandomInputs(before, 13), 0.0);
}

// What the fusion is for: a calibration observer on the fused op sees the
// post-activation values under the activation's name.
TEST(FuseActivationsTest, ObserverSeesClampedValuesUnderActivationName) {
  auto g = LoadGraph(PassModelPath("conv_bn_relu6"));
  ASSERT_NE(g, nullptr);
  ASSERT_TRUE(passes::FoldBatchNorm(g.get()).ok());
  std::string clip_out;
  for (const ir::Node& n : g->nodes) {
    if (n.op == OpKind::kClip) clip_out = g->value(n.outputs[0]).name;
  }
  ASSERT_FALSE(clip_out.empty());
  ASSERT_TRUE(passes::FuseActivations(g.get()).ok());
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(*g));
  float lo = std::numeric_limits<float>::infinity();
  float hi = -lo;
  int seen = 0;
  OpKind seen_op = OpKind::kIdentity;
  interp.set_observer([&](const ir::Graph&, const ir::Node& node, std::span<const Tensor* const> outs) {
    if (g->value(node.outputs[0]).name != clip_out) return;
    ++seen;
    seen_op = node.op;
    for (float v : outs[0]->span<float>()) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  });
  std::vector<Tensor> inputs = RandomInputs(*g, 14);
  for (float& v : inputs[0].span<float>()) v *= 10.0f;
  auto out = interp.Run(inputs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(seen_op, OpKind::kConv);
  // Inputs in [-20, 20] drive the BN-scaled conv well past both bounds, so
  // the clamp must have acted on both sides.
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 6.0f);
}

TEST(FuseActivationsModelsTest, ExampleModelsFuseEveryActivationOnRealImages) {
  auto images = passes_test::FashionImages();
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  for (const char* name : {"cnn", "mobilenet", "resnet"}) {
    SCOPED_TRACE(name);
    auto before = LoadGraph(testing::SourcePath(std::string("models/") + name + ".onnx"));
    ASSERT_NE(before, nullptr);
    const int activations = Activations(*before);
    ASSERT_GT(activations, 0);
    ir::Graph after = *before;
    int fused = -1;
    ASSERT_TRUE(passes::FuseActivations(&after, &fused).ok());
    EXPECT_EQ(fused, activations);
    EXPECT_EQ(Activations(after), 0);
    EXPECT_EQ(OutputNames(after), std::vector<std::string>{"logits"});
    ExpectSameOutputs(*before, after, {*images}, 0.0);
  }
}

}  // namespace
}  // namespace qforge
