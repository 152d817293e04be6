// The shape families run inside the interpreter: a Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape chain (what exporters emit for a flatten
// with a dynamic batch) is folded at prepare time, and ops whose output
// shape depends on run-time data (Range, Expand of a graph input) are
// re-inferred when they run.
#include <gtest/gtest.h>

#include <memory>

#include "op_test_helpers.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(ShapeSubgraphTest, DynamicBatchFlattenFoldsAtPrepare) {
  auto g = std::make_shared<ir::Graph>();
  ir::TensorType xt = ops::MakeType(DataType::kFloat32, {ir::kDynamicDim, 2, 3});
  ir::ValueId x = g->AddValue("x", xt);
  g->inputs = {x};
  ir::ValueId shape = AddNode(*g, OpKind::kShape, {x}, "shape");
  ir::ValueId zero = g->AddConstant("zero", I64({}, {0}));
  ir::ValueId batch = AddNode(*g, OpKind::kGather, {shape, zero}, "batch");
  ir::ValueId axes = g->AddConstant("axes", I64({1}, {0}));
  ir::ValueId batch1 = AddNode(*g, OpKind::kUnsqueeze, {batch, axes}, "batch1");
  ir::ValueId minus_one = g->AddConstant("minus_one", I64({1}, {-1}));
  ir::Attributes axis0;
  axis0.Set("axis", int64_t{0});
  ir::ValueId target = AddNode(*g, OpKind::kConcat, {batch1, minus_one}, "target", axis0);
  ir::ValueId y = AddNode(*g, OpKind::kReshape, {x, target}, "y");
  g->outputs = {y};

  runtime::Interpreter interp(g);
  Tensor input = F32({2, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  auto r = interp.Run(std::span<const Tensor>(&input, 1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims(), (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(Values((*r)[0]), Values(input));
  // A new batch size re-plans.
  Tensor three = F32({3, 2, 3}, std::vector<double>(18, 1.0));
  auto r3 = interp.Run(std::span<const Tensor>(&three, 1));
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_EQ((*r3)[0].dims(), (std::vector<int64_t>{3, 6}));
}

TEST(ShapeSubgraphTest, DataDependentShapesRunAtRunTime) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId limit = g->AddValue("limit", ops::MakeType(DataType::kInt64, {}));
  ir::ValueId dims = g->AddValue("dims", ops::MakeType(DataType::kInt64, {2}));
  g->inputs = {limit, dims};
  ir::ValueId start = g->AddConstant("start", I64({}, {0}));
  ir::ValueId delta = g->AddConstant("delta", I64({}, {1}));
  ir::ValueId range = AddNode(*g, OpKind::kRange, {start, limit, delta}, "range");
  ir::ValueId expanded = AddNode(*g, OpKind::kExpand, {range, dims}, "expanded");
  g->outputs = {expanded};

  runtime::Interpreter interp(g);
  std::vector<Tensor> inputs;
  inputs.push_back(I64({}, {3}));
  inputs.push_back(I64({2}, {2, 1}));
  auto r = interp.Run(inputs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Values((*r)[0]), (std::vector<double>{0, 1, 2, 0, 1, 2}));
}

}  // namespace
}  // namespace qforge::testing
