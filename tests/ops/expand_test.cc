#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(ExpandTest, BidirectionalBroadcast) {
  Tensor x = F32({3, 1}, {1, 2, 3});
  Tensor shape = I64({3}, {2, 1, 2});  // [3,1] vs [2,1,2] -> [2,3,2]
  auto r = RunOp(OpKind::kExpand, {&x, &shape});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 3, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
}

TEST(ExpandTest, ShapeSmallerThanInputKeepsInput) {
  Tensor x = I64({2, 2}, {1, 2, 3, 4});
  Tensor shape = I64({1}, {1});
  auto r = RunOp(OpKind::kExpand, {&x, &shape});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 2, 3, 4}));
}

TEST(ExpandTest, RejectsIncompatible) {
  Tensor x = F32({3}, {1, 2, 3});
  Tensor shape = I64({1}, {2});
  EXPECT_EQ(RunOp(OpKind::kExpand, {&x, &shape}).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
