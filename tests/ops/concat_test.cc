#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

ir::Attributes Axis(int64_t axis) {
  ir::Attributes a;
  a.Set("axis", axis);
  return a;
}

TEST(ConcatTest, Axis0And1) {
  Tensor a = F32({2, 2}, {1, 2, 3, 4});
  Tensor b = F32({1, 2}, {5, 6});
  auto r = RunOp(OpKind::kConcat, {&a, &b}, Axis(0));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  Tensor c = F32({2, 1}, {7, 8});
  auto s = RunOp(OpKind::kConcat, {&a, &c, &a}, Axis(-1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dims(), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(Values(s.value()), (std::vector<double>{1, 2, 7, 1, 2, 3, 4, 8, 3, 4}));
}

TEST(ConcatTest, EmptyInputAndInt64) {
  Tensor a = I64({0}, {});
  Tensor b = I64({2}, {5, 6});
  EXPECT_EQ(RunValues(OpKind::kConcat, {&a, &b}, Axis(0)), (std::vector<double>{5, 6}));
}

TEST(ConcatTest, RejectsMismatch) {
  Tensor a = F32({2, 2}, {});
  Tensor b = F32({2, 3}, {});
  EXPECT_EQ(RunOp(OpKind::kConcat, {&a, &b}, Axis(0)).status().code(), StatusCode::kInvalidModel);
  EXPECT_EQ(RunOp(OpKind::kConcat, {&a, &b}, Axis(2)).status().code(), StatusCode::kInvalidModel);
  Tensor c = I32({2, 2}, {});
  EXPECT_EQ(RunOp(OpKind::kConcat, {&a, &c}, Axis(0)).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
