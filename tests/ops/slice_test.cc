#include <gtest/gtest.h>

#include <limits>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

// x[i][j] = 10i + j for a 3x4 input.
Tensor Grid() {
  std::vector<double> v;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) v.push_back(10 * i + j);
  return F32({3, 4}, v);
}

TEST(SliceTest, StartsEndsAxesSteps) {
  Tensor x = Grid();
  Tensor starts = I64({2}, {0, 1});
  Tensor ends = I64({2}, {2, 4});
  Tensor axes = I64({2}, {0, 1});
  Tensor steps = I64({2}, {1, 2});
  auto r = RunOp(OpKind::kSlice, {&x, &starts, &ends, &axes, &steps});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 3, 11, 13}));
}

TEST(SliceTest, NegativeIndicesAndClampedEnd) {
  Tensor x = Grid();
  Tensor starts = I64({1}, {-3});
  Tensor ends = I64({1}, {1000});
  Tensor axes = I64({1}, {-1});
  // Columns 1..3 of every row.
  EXPECT_EQ(RunValues(OpKind::kSlice, {&x, &starts, &ends, &axes}),
            (std::vector<double>{1, 2, 3, 11, 12, 13, 21, 22, 23}));
}

TEST(SliceTest, NegativeStepReverses) {
  Tensor x = Grid();
  Tensor starts = I64({2}, {-1, 3});
  Tensor ends = I64({2}, {std::numeric_limits<int32_t>::min(), 0});
  ends.data<int64_t>()[0] = std::numeric_limits<int64_t>::min();
  Tensor axes = I64({2}, {0, 1});
  Tensor steps = I64({2}, {-1, -2});
  auto r = RunOp(OpKind::kSlice, {&x, &starts, &ends, &axes, &steps});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Rows 2, 1, 0; columns 3, 1.
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{23, 21, 13, 11, 3, 1}));
}

TEST(SliceTest, StartPastEndIsEmpty) {
  Tensor x = Grid();
  Tensor starts = I32({1}, {5});
  Tensor ends = I32({1}, {10});
  auto r = RunOp(OpKind::kSlice, {&x, &starts, &ends});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{0, 4}));
}

TEST(SliceTest, HugeStepTakesOneElement) {
  Tensor x = Grid();
  Tensor starts = I64({1}, {1});
  Tensor ends = I64({1}, {4});
  Tensor axes = I64({1}, {1});
  Tensor steps = I64({1}, {0});
  steps.data<int64_t>()[0] = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(RunValues(OpKind::kSlice, {&x, &starts, &ends, &axes, &steps}), (std::vector<double>{1, 11, 21}));
}

TEST(SliceTest, RejectsZeroStepAndRepeatedAxis) {
  Tensor x = Grid();
  Tensor starts = I64({1}, {0});
  Tensor ends = I64({1}, {1});
  Tensor axes = I64({1}, {0});
  Tensor zero = I64({1}, {0});
  EXPECT_EQ(RunOp(OpKind::kSlice, {&x, &starts, &ends, &axes, &zero}).status().code(),
            StatusCode::kInvalidModel);
  Tensor s2 = I64({2}, {0, 0});
  Tensor e2 = I64({2}, {1, 1});
  Tensor rep = I64({2}, {1, -1});
  EXPECT_EQ(RunOp(OpKind::kSlice, {&x, &s2, &e2, &rep}).status().code(), StatusCode::kInvalidModel);
}

TEST(SliceTest, UnknownStartsKeepRank) {
  ir::TensorType x = ops::MakeType(DataType::kFloat32, {3, 4});
  ir::TensorType idx = ops::MakeType(DataType::kInt64, {1});
  auto r = InferTypes(OpKind::kSlice, {}, {&x, &idx, &idx}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{-1, -1}));
}

}  // namespace
}  // namespace qforge::testing
