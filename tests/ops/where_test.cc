#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(WhereTest, ThreeWayBroadcast) {
  Tensor cond = MakeTensor(DataType::kBool, {2, 1}, {1, 0});
  Tensor x = F32({3}, {1, 2, 3});
  Tensor y = F32({}, {-1});
  auto r = RunOp(OpKind::kWhere, {&cond, &x, &y});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 2, 3, -1, -1, -1}));
}

TEST(WhereTest, Int64AndBoolElements) {
  Tensor cond = MakeTensor(DataType::kBool, {3}, {0, 1, 0});
  Tensor x = I64({3}, {10, 20, 30});
  Tensor y = I64({3}, {-10, -20, -30});
  EXPECT_EQ(RunValues(OpKind::kWhere, {&cond, &x, &y}), (std::vector<double>{-10, 20, -30}));
  Tensor bx = MakeTensor(DataType::kBool, {3}, {1, 1, 1});
  Tensor by = MakeTensor(DataType::kBool, {3}, {0, 0, 0});
  EXPECT_EQ(RunValues(OpKind::kWhere, {&cond, &bx, &by}), (std::vector<double>{0, 1, 0}));
}

TEST(WhereTest, RejectsNonBoolConditionAndMixedTypes) {
  Tensor cond = F32({1}, {1});
  Tensor x = F32({1}, {1});
  Tensor y = I32({1}, {1});
  EXPECT_EQ(RunOp(OpKind::kWhere, {&cond, &x, &x}).status().code(), StatusCode::kInvalidModel);
  Tensor bcond = MakeTensor(DataType::kBool, {1}, {1});
  EXPECT_EQ(RunOp(OpKind::kWhere, {&bcond, &x, &y}).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
