#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(GatherTest, Axis0With2DIndices) {
  Tensor data = F32({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor idx = I64({2, 2}, {0, 1, 2, -1});
  auto r = RunOp(OpKind::kGather, {&data, &idx});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 2, 3, 4, 5, 6, 5, 6}));
}

TEST(GatherTest, Axis1AndScalarIndex) {
  Tensor data = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  ir::Attributes a;
  a.Set("axis", int64_t{-1});
  Tensor idx = I32({2}, {2, 0});
  EXPECT_EQ(RunValues(OpKind::kGather, {&data, &idx}, a), (std::vector<double>{3, 1, 6, 4}));
  Tensor one = I64({}, {1});
  auto r = RunOp(OpKind::kGather, {&data, &one}, a);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{2, 5}));
}

TEST(GatherTest, OutOfRangeIndexIsRunTimeError) {
  Tensor data = F32({3}, {1, 2, 3});
  Tensor idx = I64({1}, {3});
  auto r = RunOp(OpKind::kGather, {&data, &idx});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  Tensor neg = I64({1}, {-4});
  EXPECT_FALSE(RunOp(OpKind::kGather, {&data, &neg}).ok());
}

}  // namespace
}  // namespace qforge::testing
