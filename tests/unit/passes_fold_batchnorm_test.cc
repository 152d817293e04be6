// FoldBatchNorm on PyTorch exports that keep BatchNormalization (Conv,
// grouped and depthwise Conv, ConvTranspose with groups, Linear with and
// without bias) and on hand-built graphs (Gemm transB=0 with alpha/beta, BNs
// that cannot be folded). The graph must compute the same outputs.
#include <gtest/gtest.h>

#include <ostream>

#include "passes/constant_fold.h"
#include "passes/fold_batchnorm.h"
#include "passes_test_util.h"

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

struct FoldCase {
  const char* model;
  OpKind producer;
  int producers;  // nodes of `producer` after folding
  int batchnorms;
};

void PrintTo(const FoldCase& c, std::ostream* os) { *os << c.model; }

class FoldBatchNormModelTest : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldBatchNormModelTest, FoldsEveryBatchNormAndKeepsOutputs) {
  const FoldCase& c = GetParam();
  auto before = LoadGraph(PassModelPath(c.model));
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(CountOps(*before, OpKind::kBatchNormalization), c.batchnorms);
  ir::Graph after = *before;
  passes::FoldBatchNormReport report;
  ASSERT_TRUE(passes::FoldBatchNorm(&after, &report).ok());
  EXPECT_EQ(report.folded, c.batchnorms);
  EXPECT_EQ(report.kept, 0);
  EXPECT_EQ(CountOps(after, OpKind::kBatchNormalization), 0);
  EXPECT_EQ(CountOps(after, c.producer), c.producers);
  EXPECT_EQ(passes_test::LiveNodes(after), passes_test::LiveNodes(*before) - c.batchnorms);
  EXPECT_EQ(OutputNames(after), OutputNames(*before));
  for (const ir::Node& n : after.nodes) {
    if (n.op != c.producer) continue;
    // Every folded producer got a float32 bias of one value per channel.
    ASSERT_EQ(n.inputs.size(), 3u) << n.name;
    ASSERT_NE(n.inputs[2], ir::kNoValue) << n.name;
    EXPECT_TRUE(after.value(n.inputs[2]).is_constant()) << n.name;
  }
  for (uint32_t seed : {1u, 2u}) ExpectSameOutputs(*before, after, RandomInputs(*before, seed));
}

INSTANTIATE_TEST_SUITE_P(Models, FoldBatchNormModelTest,
                         ::testing::Values(FoldCase{"conv_bn_relu6", OpKind::kConv, 3, 3},
                                           FoldCase{"convtranspose_bn", OpKind::kConvTranspose, 1, 1},
                                           FoldCase{"gemm_transb0_bn", OpKind::kGemm, 1, 1}),
                         [](const auto& info) { return std::string(info.param.model); });

TEST(FoldBatchNormTest, BatchNormNameMovesToTheConv) {
  auto before = LoadGraph(PassModelPath("conv_bn_relu6"));
  ASSERT_NE(before, nullptr);
  ir::Graph after = *before;
  ASSERT_TRUE(passes::FoldBatchNorm(&after).ok());
  // The BN output names (the ones calibration will see) are now written by Convs.
  for (const ir::Node& bn : before->nodes) {
    if (bn.op != OpKind::kBatchNormalization) continue;
    const ir::Node* p = ProducerOf(after, before->value(bn.outputs[0]).name);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->op, OpKind::kConv);
  }
}

TEST(FoldBatchNormTest, GemmTransB0FoldsAlphaAndBeta) {
  auto before = LoadGraph(PassModelPath("gemm_transb0_bn"));
  ASSERT_NE(before, nullptr);
  ir::Graph after = *before;
  ASSERT_TRUE(passes::FoldBatchNorm(&after).ok());
  const ir::Node* gemm = NodeNamed(after, "gemm");
  ASSERT_NE(gemm, nullptr);
  // beta went into the bias; alpha stays on the product.
  EXPECT_EQ(gemm->attrs.GetFloat("beta", -1.0f), 1.0f);
  EXPECT_EQ(gemm->attrs.GetFloat("alpha", -1.0f), 0.5f);
  EXPECT_EQ(gemm->attrs.GetInt("transB", 0), 0);
  EXPECT_EQ(after.value(gemm->inputs[2]).type.dims, (std::vector<int64_t>{7}));
  EXPECT_EQ(after.value(gemm->outputs[0]).name, "bn_out");
  // The original weights are untouched (they may be shared).
  const ir::Value& w = before->value(*before->FindValue("W"));
  EXPECT_NE(after.value(gemm->inputs[1]).constant.get(), w.constant.get());
}

TEST(FoldBatchNormTest, LinearWithAndWithoutBiasFoldAfterConstantFolding) {
  auto before = LoadGraph(PassModelPath("gemm_bn"));
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(CountOps(*before, OpKind::kBatchNormalization), 2);
  ir::Graph after = *before;
  // Linear(bias=False) is Transpose(W) -> MatMul; the Transpose folds at
  // import already (the reader runs FoldConstants), leaving a constant B.
  ASSERT_TRUE(passes::FoldConstants(after).ok());
  ASSERT_TRUE(after.Compact().ok());
  ASSERT_EQ(CountOps(after, OpKind::kMatMul), 1);
  passes::FoldBatchNormReport report;
  ASSERT_TRUE(passes::FoldBatchNorm(&after, &report).ok());
  EXPECT_EQ(report.folded, 2);
  EXPECT_EQ(report.kept, 0);
  EXPECT_EQ(CountOps(after, OpKind::kBatchNormalization), 0);
  // The bias-less MatMul became a Gemm carrying the BN's shift as its bias.
  EXPECT_EQ(CountOps(after, OpKind::kMatMul), 0);
  EXPECT_EQ(CountOps(after, OpKind::kGemm), 2);
  EXPECT_EQ(OutputNames(after), std::vector<std::string>{"output"});
  const ir::Node* last = ProducerOf(after, "output");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->op, OpKind::kGemm);
  for (uint32_t seed : {3u, 4u}) ExpectSameOutputs(*before, after, RandomInputs(*before, seed));
}

TEST(FoldBatchNormTest, KeepsBatchNormOnGraphInputAndOnGraphOutputProducer) {
  auto before = LoadGraph(PassModelPath("unfoldable"));
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(CountOps(*before, OpKind::kBatchNormalization), 2);
  ir::Graph after = *before;
  passes::FoldBatchNormReport report;
  ASSERT_TRUE(passes::FoldBatchNorm(&after, &report).ok());
  // bn_in reads the graph input (no producer); bn2 reads c2, which is also a
  // graph output and must keep its pre-BN values.
  EXPECT_EQ(report.folded, 0);
  EXPECT_EQ(report.kept, 2);
  EXPECT_EQ(CountOps(after, OpKind::kBatchNormalization), 2);
  ASSERT_NE(NodeNamed(after, "bn_in"), nullptr);
  ASSERT_NE(NodeNamed(after, "bn2"), nullptr);
  EXPECT_EQ(OutputNames(after), OutputNames(*before));
  ExpectSameOutputs(*before, after, RandomInputs(*before, 5), 0.0);
}

TEST(FoldBatchNormTest, KeepsBatchNormAfterConvWithFusedActivation) {
  auto before = LoadGraph(PassModelPath("gemm_transb0_bn"));
  ASSERT_NE(before, nullptr);
  ir::Graph g = *before;
  ir::Node* gemm = nullptr;
  for (ir::Node& n : g.nodes) {
    if (n.name == "gemm") gemm = &n;
  }
  ASSERT_NE(gemm, nullptr);
  // Relu(Gemm) then BN: the clamp sits between the product and the BN.
  gemm->attrs.Set("activation_min", 0.0f);
  passes::FoldBatchNormReport report;
  ASSERT_TRUE(passes::FoldBatchNorm(&g, &report).ok());
  EXPECT_EQ(report.folded, 0);
  EXPECT_EQ(report.kept, 1);
}

}  // namespace
}  // namespace qforge
