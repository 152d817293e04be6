// RemoveIdentity: Identity and inference-mode Dropout disappear, consumers
// are rewired, and graph outputs keep the names the user sees.
#include <gtest/gtest.h>

#include "passes/remove_identity.h"
#include "passes_test_util.h"

namespace qforge {
namespace {

using passes_test::CountOps;
using passes_test::ExpectSameOutputs;
using passes_test::LoadGraph;
using passes_test::OutputNames;
using passes_test::PassModelPath;
using passes_test::ProducerOf;
using passes_test::RandomInputs;

TEST(RemoveIdentityTest, DropsIdentityAndDropoutKeepingOutputNames) {
  auto before = LoadGraph(PassModelPath("dropout_identity"));
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(CountOps(*before, OpKind::kIdentity), 3);
  ASSERT_EQ(CountOps(*before, OpKind::kDropout), 2);
  ir::Graph after = *before;
  int removed = -1;
  ASSERT_TRUE(passes::RemoveIdentity(&after, &removed).ok());
  // identity_in, dropout1, identity_mid and identity_out go; dropout_mask
  // stays because its mask is a graph output.
  EXPECT_EQ(removed, 4);
  EXPECT_EQ(CountOps(after, OpKind::kIdentity), 0);
  EXPECT_EQ(CountOps(after, OpKind::kDropout), 1);
  EXPECT_EQ(CountOps(after, OpKind::kMatMul), 2);
  EXPECT_EQ(OutputNames(after), OutputNames(*before));
  // The Clip that fed identity_out now writes the graph output itself.
  const ir::Node* out = ProducerOf(after, "output");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->op, OpKind::kClip);
  // matmul1 reads the graph input directly.
  const ir::Node* mm1 = passes_test::NodeNamed(after, "matmul1");
  ASSERT_NE(mm1, nullptr);
  EXPECT_EQ(after.value(mm1->inputs[0]).name, "input");
  ASSERT_TRUE(ir::VerifyGraph(after).ok());
  // Pass-through nodes copy their input: the outputs are bit-identical.
  ExpectSameOutputs(*before, after, RandomInputs(*before, 1), 0.0);
}

TEST(RemoveIdentityTest, KeepsIdentityFromGraphInputToGraphOutput) {
  auto before = LoadGraph(PassModelPath("unfoldable"));
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(CountOps(*before, OpKind::kIdentity), 2);
  ir::Graph after = *before;
  int removed = -1;
  ASSERT_TRUE(passes::RemoveIdentity(&after, &removed).ok());
  EXPECT_EQ(removed, 1);
  // 'passthrough' would otherwise have to be renamed 'input'.
  const ir::Node* kept = ProducerOf(after, "passthrough");
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->op, OpKind::kIdentity);
  const ir::Node* out = ProducerOf(after, "output");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->op, OpKind::kRelu);
  EXPECT_EQ(OutputNames(after), OutputNames(*before));
  ExpectSameOutputs(*before, after, RandomInputs(*before, 2), 0.0);
}

TEST(RemoveIdentityTest, RemovesTorchModelDropoutAndOutputIdentity) {
  auto before = LoadGraph(PassModelPath("conv_bn_relu6"));
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(CountOps(*before, OpKind::kIdentity), 1);
  ASSERT_EQ(CountOps(*before, OpKind::kDropout), 1);
  ir::Graph after = *before;
  int removed = -1;
  ASSERT_TRUE(passes::RemoveIdentity(&after, &removed).ok());
  EXPECT_EQ(removed, 2);
  EXPECT_EQ(passes_test::LiveNodes(after), passes_test::LiveNodes(*before) - 2);
  EXPECT_EQ(OutputNames(after), std::vector<std::string>{"output"});
  const ir::Node* out = ProducerOf(after, "output");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->op, OpKind::kBatchNormalization);
  ExpectSameOutputs(*before, after, RandomInputs(*before, 3), 0.0);
}

// Graphs built in code: cases the ONNX reader rejects or no exporter writes,
// which a pass must still leave correct.
class RemoveIdentityIrTest : public ::testing::Test {
 protected:
  ir::ValueId Input(const std::string& name) {
    ir::TensorType t;
    t.dtype = DataType::kFloat32;
    t.rank_known = true;
    t.dims = {2, 3};
    const ir::ValueId id = g_.AddValue(name, t);
    g_.inputs.push_back(id);
    return id;
  }
  ir::ValueId Node(OpKind op, std::vector<ir::ValueId> inputs, const std::string& out_name) {
    ir::Node n;
    n.name = out_name + "_node";
    n.op = op;
    n.inputs = std::move(inputs);
    n.outputs = {g_.AddValue(out_name, g_.value(n.inputs[0]).type)};
    const ir::ValueId out = n.outputs[0];
    g_.AddNode(std::move(n));
    return out;
  }
  ir::Graph g_;
};

TEST_F(RemoveIdentityIrTest, KeepsDropoutWithRunTimeTrainingMode) {
  const ir::ValueId x = Input("x");
  ir::TensorType bool_type;
  bool_type.dtype = DataType::kBool;
  bool_type.rank_known = true;
  const ir::ValueId mode = g_.AddValue("training_mode", bool_type);
  g_.inputs.push_back(mode);
  const ir::ValueId d = Node(OpKind::kDropout, {x, ir::kNoValue, mode}, "d");
  const ir::ValueId y = Node(OpKind::kAdd, {d, x}, "y");
  g_.outputs = {y};
  int removed = -1;
  ASSERT_TRUE(passes::RemoveIdentity(&g_, &removed).ok());
  EXPECT_EQ(removed, 0);
  EXPECT_EQ(CountOps(g_, OpKind::kDropout), 1);
}

TEST_F(RemoveIdentityIrTest, KeepsIdentityBetweenTwoGraphOutputs) {
  const ir::ValueId x = Input("x");
  const ir::ValueId a = Node(OpKind::kAdd, {x, x}, "a");
  const ir::ValueId b = Node(OpKind::kIdentity, {a}, "b");
  const ir::ValueId c = Node(OpKind::kIdentity, {b}, "c");
  g_.outputs = {a, c};
  int removed = -1;
  ASSERT_TRUE(passes::RemoveIdentity(&g_, &removed).ok());
  // b goes (c reads a); c stays: 'a' and 'c' must both remain visible.
  EXPECT_EQ(removed, 1);
  EXPECT_EQ(CountOps(g_, OpKind::kIdentity), 1);
  EXPECT_EQ(OutputNames(g_), (std::vector<std::string>{"a", "c"}));
  const ir::Node* c_node = ProducerOf(g_, "c");
  ASSERT_NE(c_node, nullptr);
  EXPECT_EQ(g_.value(c_node->inputs[0]).name, "a");
}

TEST_F(RemoveIdentityIrTest, ChainOfIdentitiesToGraphOutputCollapses) {
  const ir::ValueId x = Input("x");
  const ir::ValueId a = Node(OpKind::kMul, {x, x}, "a");
  const ir::ValueId b = Node(OpKind::kIdentity, {a}, "b");
  const ir::ValueId c = Node(OpKind::kIdentity, {b}, "c");
  const ir::ValueId d = Node(OpKind::kAdd, {a, c}, "d");
  g_.outputs = {c, d};
  int removed = -1;
  ASSERT_TRUE(passes::RemoveIdentity(&g_, &removed).ok());
  EXPECT_EQ(removed, 2);
  EXPECT_EQ(CountOps(g_, OpKind::kIdentity), 0);
  EXPECT_EQ(OutputNames(g_), (std::vector<std::string>{"c", "d"}));
  // The Mul writes 'c' now, and the Add reads it twice.
  const ir::Node* mul = ProducerOf(g_, "c");
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->op, OpKind::kMul);
  const ir::Node* add = ProducerOf(g_, "d");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(g_.value(add->inputs[0]).name, "c");
  EXPECT_EQ(g_.value(add->inputs[1]).name, "c");
}

}  // namespace
}  // namespace qforge
