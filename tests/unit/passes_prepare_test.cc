// PrepareForQuantization end to end: the pipeline's report, structure
// (no BN, Dropout, Identity or separate activation left where they can
// go), typed values, unchanged output names, and unchanged outputs on random
// inputs and on real Fashion-MNIST images for the example models.
#include <gtest/gtest.h>

#include <ostream>

#include "passes/pipelines.h"
#include "passes_test_util.h"

namespace qforge {
namespace {

using passes_test::CountOps;
using passes_test::ExpectSameOutputs;
using passes_test::LoadGraph;
using passes_test::OutputNames;
using passes_test::PassModelPath;
using passes_test::RandomInputs;

void ExpectAllValuesTyped(const ir::Graph& g) {
  for (const ir::Node& n : g.nodes) {
    for (ir::ValueId out : n.outputs) {
      if (out == ir::kNoValue) continue;
      EXPECT_NE(g.value(out).type.dtype, DataType::kUndefined) << g.value(out).name;
      EXPECT_TRUE(g.value(out).type.rank_known) << g.value(out).name;
    }
  }
}

struct PrepareCase {
  const char* model;
  passes::PrepareReport want;
  int nodes_after;
};

void PrintTo(const PrepareCase& c, std::ostream* os) { *os << c.model; }

class PrepareModelTest : public ::testing::TestWithParam<PrepareCase> {};

TEST_P(PrepareModelTest, ReportStructureAndOutputs) {
  const PrepareCase& c = GetParam();
  auto before = LoadGraph(PassModelPath(c.model));
  ASSERT_NE(before, nullptr);
  ir::Graph after = *before;
  passes::PrepareReport report;
  ASSERT_TRUE(passes::PrepareForQuantization(&after, &report).ok());
  EXPECT_EQ(report.constants_folded, c.want.constants_folded);
  EXPECT_EQ(report.identities_removed, c.want.identities_removed);
  EXPECT_EQ(report.batchnorms_folded, c.want.batchnorms_folded);
  EXPECT_EQ(report.batchnorms_kept, c.want.batchnorms_kept);
  EXPECT_EQ(report.activations_fused, c.want.activations_fused);
  EXPECT_EQ(passes_test::LiveNodes(after), c.nodes_after);
  EXPECT_EQ(CountOps(after, OpKind::kBatchNormalization), c.want.batchnorms_kept);
  EXPECT_EQ(OutputNames(after), OutputNames(*before));
  EXPECT_TRUE(ir::VerifyGraph(after).ok());
  ExpectAllValuesTyped(after);
  for (uint32_t seed : {21u, 22u}) ExpectSameOutputs(*before, after, RandomInputs(*before, seed));
}

// {constants_folded, identities_removed, batchnorms_folded, batchnorms_kept,
// activations_fused}, live nodes after.
INSTANTIATE_TEST_SUITE_P(Models, PrepareModelTest,
                         ::testing::Values(
                             // 3 x (Conv, BN) + ReLU6 + ReLU + Dropout + Identity -> 3 Convs.
                             PrepareCase{"conv_bn_relu6", {0, 2, 3, 0, 2}, 3},
                             // Gemm, BN, Relu, MatMul, BN -> 2 Gemms.
                             PrepareCase{"gemm_bn", {0, 0, 2, 0, 1}, 2},
                             PrepareCase{"convtranspose_bn", {0, 0, 1, 0, 1}, 1},
                             PrepareCase{"gemm_transb0_bn", {0, 0, 1, 0, 1}, 1},
                             // bn_in, conv, relu_shared, add(+clip), conv2, bn2, sub(+relu), identity_in.
                             PrepareCase{"unfoldable", {0, 1, 0, 2, 2}, 8},
                             // matmul1, dropout_mask, matmul2(+relu6).
                             PrepareCase{"dropout_identity", {0, 4, 0, 0, 1}, 3}),
                         [](const auto& info) { return std::string(info.param.model); });

// PyTorch's outputs for the exported models (tools/make_pass_test_models.py):
// an oracle that does not share qforge's BatchNormalization kernel with the
// graph before the pass. qforge and PyTorch sum conv products in different
// orders; float32 rounding stays near 1e-6 relative here.
constexpr double kTorchTolerance = 1e-5;

TEST(PrepareForQuantizationTest, MatchesPyTorchOnExportedModels) {
  for (const char* name : {"conv_bn_relu6", "gemm_bn", "convtranspose_bn"}) {
    SCOPED_TRACE(name);
    auto g = LoadGraph(PassModelPath(name));
    ASSERT_NE(g, nullptr);
    auto x = passes_test::ReadNpy(
        testing::SourcePath(std::string("tests/unit/data/passes/") + name + "_input.npy"));
    ASSERT_TRUE(x.ok()) << x.status().ToString();
    auto want = passes_test::ReadNpy(
        testing::SourcePath(std::string("tests/unit/data/passes/") + name + "_output.npy"));
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    passes::PrepareReport report;
    ASSERT_TRUE(passes::PrepareForQuantization(g.get(), &report).ok());
    EXPECT_GT(report.batchnorms_folded, 0);
    EXPECT_EQ(CountOps(*g, OpKind::kBatchNormalization), 0);
    auto got = passes_test::RunGraph(*g, {*x});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), 1u);
    ASSERT_EQ((*got)[0].dims(), want->dims());
    EXPECT_LE(testing::MaxRelError((*got)[0], *want), kTorchTolerance);
  }
}

TEST(PrepareForQuantizationTest, ExampleModelsOnRealImages) {
  auto images = passes_test::FashionImages();
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  for (const char* name : {"cnn", "mobilenet", "resnet"}) {
    SCOPED_TRACE(name);
    auto before = LoadGraph(testing::SourcePath(std::string("models/") + name + ".onnx"));
    ASSERT_NE(before, nullptr);
    ir::Graph after = *before;
    passes::PrepareReport report;
    ASSERT_TRUE(passes::PrepareForQuantization(&after, &report).ok());
    EXPECT_GT(report.activations_fused, 0);
    EXPECT_EQ(CountOps(after, OpKind::kRelu) + CountOps(after, OpKind::kClip), 0);
    EXPECT_EQ(OutputNames(after), std::vector<std::string>{"logits"});
    ExpectAllValuesTyped(after);
    ExpectSameOutputs(*before, after, {*images});
    ExpectSameOutputs(*before, after, RandomInputs(*before, 23));
  }
}

TEST(PrepareForQuantizationTest, IsIdempotent) {
  auto g = LoadGraph(PassModelPath("conv_bn_relu6"));
  ASSERT_NE(g, nullptr);
  ASSERT_TRUE(passes::PrepareForQuantization(g.get()).ok());
  const int nodes = passes_test::LiveNodes(*g);
  passes::PrepareReport again;
  ASSERT_TRUE(passes::PrepareForQuantization(g.get(), &again).ok());
  EXPECT_EQ(
      again.constants_folded + again.identities_removed + again.batchnorms_folded + again.activations_fused,
      0);
  EXPECT_EQ(passes_test::LiveNodes(*g), nodes);
}

}  // namespace
}  // namespace qforge
