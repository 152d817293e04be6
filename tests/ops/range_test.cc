#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(RangeTest, FloatPositiveDelta) {
  Tensor start = F32({}, {1});
  Tensor limit = F32({}, {5});
  Tensor delta = F32({}, {1.5});
  auto r = RunOp(OpKind::kRange, {&start, &limit, &delta});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{3}));  // ceil(4 / 1.5) = 3
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 2.5, 4}));
}

TEST(RangeTest, IntNegativeDeltaAndEmpty) {
  Tensor start = I32({}, {10});
  Tensor limit = I32({}, {6});
  Tensor delta = I32({}, {-3});
  EXPECT_EQ(RunValues(OpKind::kRange, {&start, &limit, &delta}), (std::vector<double>{10, 7}));
  Tensor up = I32({}, {3});
  auto e = RunOp(OpKind::kRange, {&start, &limit, &up});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->dims(), (std::vector<int64_t>{0}));
}

TEST(RangeTest, Int64AndZeroDelta) {
  Tensor start = I64({}, {0});
  Tensor limit = I64({}, {4});
  Tensor delta = I64({}, {2});
  EXPECT_EQ(RunValues(OpKind::kRange, {&start, &limit, &delta}), (std::vector<double>{0, 2}));
  Tensor zero = I64({}, {0});
  EXPECT_FALSE(RunOp(OpKind::kRange, {&start, &limit, &zero}).ok());
}

TEST(RangeTest, UnknownValuesGiveDynamicLength) {
  ir::TensorType s = ops::MakeType(DataType::kFloat32, {});
  auto r = InferTypes(OpKind::kRange, {}, {&s, &s, &s}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{ir::kDynamicDim}));
}

}  // namespace
}  // namespace qforge::testing
