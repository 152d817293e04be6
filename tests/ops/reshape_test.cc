#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

std::vector<double> Iota(int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

// Output dims, or {-99} (never a valid shape) after recording the failure.
std::vector<int64_t> OutDims(OpKind op, const std::vector<const Tensor*>& ins, const ir::Attributes& a = {}) {
  auto r = RunOp(op, ins, a);
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return {-99};
  }
  return r->dims();
}

TEST(ReshapeTest, ZeroCopiesAndMinusOneInfers) {
  Tensor x = F32({2, 3, 4}, Iota(24));
  Tensor shape = I64({3}, {0, -1, 2});
  auto r = RunOp(OpKind::kReshape, {&x, &shape});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 6, 2}));
  EXPECT_EQ(Values(r.value()), Iota(24));
}

TEST(ReshapeTest, AllowZeroKeepsLiteralZero) {
  Tensor x = F32({0, 3}, {});
  Tensor shape = I64({2}, {3, 0});
  ir::Attributes a;
  a.Set("allowzero", int64_t{1});
  EXPECT_EQ(OutDims(OpKind::kReshape, {&x, &shape}, a), (std::vector<int64_t>{3, 0}));
  Tensor bad = I64({2}, {0, -1});
  EXPECT_FALSE(RunOp(OpKind::kReshape, {&x, &bad}, a).ok());
}

TEST(ReshapeTest, RejectsCountMismatchAndTwoMinusOnes) {
  Tensor x = F32({2, 3}, Iota(6));
  Tensor wrong = I64({2}, {4, 2});
  EXPECT_EQ(RunOp(OpKind::kReshape, {&x, &wrong}).status().code(), StatusCode::kInvalidModel);
  Tensor two = I64({2}, {-1, -1});
  EXPECT_EQ(RunOp(OpKind::kReshape, {&x, &two}).status().code(), StatusCode::kInvalidModel);
  Tensor indivisible = I64({2}, {4, -1});
  EXPECT_EQ(RunOp(OpKind::kReshape, {&x, &indivisible}).status().code(), StatusCode::kInvalidModel);
}

TEST(ReshapeTest, UnknownShapeValueGivesDynamicDims) {
  ir::TensorType x = ops::MakeType(DataType::kFloat32, {2, 3});
  ir::TensorType shape = ops::MakeType(DataType::kInt64, {3});
  auto r = InferTypes(OpKind::kReshape, {}, {&x, &shape}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)[0].rank_known);
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{-1, -1, -1}));
  shape.dims = {ir::kDynamicDim};
  auto u = InferTypes(OpKind::kReshape, {}, {&x, &shape}, {});
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE((*u)[0].rank_known);
}

TEST(ReshapeTest, MinusOneWithDynamicBatch) {
  ir::TensorType x = ops::MakeType(DataType::kFloat32, {ir::kDynamicDim, 3, 4});
  ir::TensorType shape = ops::MakeType(DataType::kInt64, {2});
  Tensor value = I64({2}, {0, -1});
  auto r = InferTypes(OpKind::kReshape, {}, {&x, &shape}, {nullptr, &value});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{ir::kDynamicDim, ir::kDynamicDim}));
}

TEST(FlattenTest, AxisVariants) {
  Tensor x = F32({2, 3, 4, 5}, Iota(120));
  ir::Attributes a;
  EXPECT_EQ(OutDims(OpKind::kFlatten, {&x}), (std::vector<int64_t>{2, 60}));
  a.Set("axis", int64_t{0});
  EXPECT_EQ(OutDims(OpKind::kFlatten, {&x}, a), (std::vector<int64_t>{1, 120}));
  a.Set("axis", int64_t{4});
  EXPECT_EQ(OutDims(OpKind::kFlatten, {&x}, a), (std::vector<int64_t>{120, 1}));
  a.Set("axis", int64_t{-2});
  EXPECT_EQ(OutDims(OpKind::kFlatten, {&x}, a), (std::vector<int64_t>{6, 20}));
  a.Set("axis", int64_t{5});
  EXPECT_FALSE(RunOp(OpKind::kFlatten, {&x}, a).ok());
  EXPECT_EQ(RunValues(OpKind::kFlatten, {&x}), Iota(120));
}

TEST(SqueezeTest, AxesOrAllOnes) {
  Tensor x = F32({1, 3, 1, 2}, Iota(6));
  EXPECT_EQ(OutDims(OpKind::kSqueeze, {&x}), (std::vector<int64_t>{3, 2}));
  Tensor axes = I64({1}, {-2});
  EXPECT_EQ(OutDims(OpKind::kSqueeze, {&x, &axes}), (std::vector<int64_t>{1, 3, 2}));
  Tensor bad = I64({1}, {1});
  EXPECT_EQ(RunOp(OpKind::kSqueeze, {&x, &bad}).status().code(), StatusCode::kInvalidModel);
  Tensor none = I64({0}, {});
  EXPECT_EQ(OutDims(OpKind::kSqueeze, {&x, &none}), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(RunValues(OpKind::kSqueeze, {&x}), Iota(6));
}

TEST(UnsqueezeTest, NegativeAndUnsortedAxes) {
  Tensor x = F32({3, 4}, Iota(12));
  Tensor axes = I64({3}, {4, 0, -3});  // output rank 5: axes 4, 0, 2
  EXPECT_EQ(OutDims(OpKind::kUnsqueeze, {&x, &axes}), (std::vector<int64_t>{1, 3, 1, 4, 1}));
  Tensor dup = I64({2}, {0, -4});  // both are axis 0 for output rank 4
  EXPECT_EQ(RunOp(OpKind::kUnsqueeze, {&x, &dup}).status().code(), StatusCode::kInvalidModel);
  Tensor s = F32({}, {7});
  Tensor zero = I64({1}, {0});
  auto r = RunOp(OpKind::kUnsqueeze, {&s, &zero});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{1}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{7}));
}

}  // namespace
}  // namespace qforge::testing
