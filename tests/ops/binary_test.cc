#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(BinaryTest, AddBroadcastsRowAgainstColumn) {
  Tensor a = F32({2, 1}, {1, 2});
  Tensor b = F32({3}, {10, 20, 30});
  auto r = RunOp(OpKind::kAdd, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Values(*r), (std::vector<double>{11, 21, 31, 12, 22, 32}));
}

TEST(BinaryTest, SubMulDivFloat) {
  Tensor a = F32({3}, {6, -3, 1});
  Tensor b = F32({}, {2});  // scalar
  EXPECT_EQ(RunValues(OpKind::kSub, {&a, &b}), (std::vector<double>{4, -5, -1}));
  EXPECT_EQ(RunValues(OpKind::kMul, {&a, &b}), (std::vector<double>{12, -6, 2}));
  EXPECT_EQ(RunValues(OpKind::kDiv, {&a, &b}), (std::vector<double>{3, -1.5, 0.5}));
}

TEST(BinaryTest, IntDivTruncatesTowardZero) {
  Tensor a = I32({4}, {7, -7, 7, -7});
  Tensor b = I32({4}, {2, 2, -2, -2});
  auto r = RunOp(OpKind::kDiv, {&a, &b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dtype(), DataType::kInt32);
  EXPECT_EQ(Values(*r), (std::vector<double>{3, -3, -3, 3}));
}

TEST(BinaryTest, IntDivByZeroIsAnError) {
  Tensor a = I64({2}, {1, 2});
  Tensor b = I64({2}, {1, 0});
  auto r = RunOp(OpKind::kDiv, {&a, &b});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("division by zero"), std::string::npos);
}

TEST(BinaryTest, IntOverflowWrapsInsteadOfTrapping) {
  Tensor a = MakeTensor(DataType::kInt32, {2}, {0, 0});
  a.data<int32_t>()[0] = std::numeric_limits<int32_t>::min();
  a.data<int32_t>()[1] = std::numeric_limits<int32_t>::max();
  Tensor minus_one = I32({2}, {-1, 1});
  auto q = RunOp(OpKind::kDiv, {&a, &minus_one});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->data<int32_t>()[0], std::numeric_limits<int32_t>::min());
  auto s = RunOp(OpKind::kAdd, {&a, &minus_one});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->data<int32_t>()[1], std::numeric_limits<int32_t>::min());
}

TEST(BinaryTest, Uint8ArithmeticWraps) {
  Tensor a = MakeTensor(DataType::kUInt8, {2}, {250, 3});
  Tensor b = MakeTensor(DataType::kUInt8, {2}, {10, 5});
  EXPECT_EQ(RunValues(OpKind::kAdd, {&a, &b}), (std::vector<double>{4, 8}));
  EXPECT_EQ(RunValues(OpKind::kSub, {&a, &b}), (std::vector<double>{240, 254}));
}

TEST(BinaryTest, PowFloatAndMixedExponentTypes) {
  Tensor base = F32({3}, {2, 4, 9});
  Tensor fexp = F32({3}, {3, 0.5, -1});
  auto r = RunOp(OpKind::kPow, {&base, &fexp});
  ASSERT_TRUE(r.ok());
  EXPECT_FLOAT_EQ(static_cast<float>(Values(*r)[0]), 8.0f);
  EXPECT_FLOAT_EQ(static_cast<float>(Values(*r)[1]), 2.0f);
  EXPECT_FLOAT_EQ(static_cast<float>(Values(*r)[2]), 1.0f / 9.0f);
  Tensor iexp = I64({1}, {2});
  auto m = RunOp(OpKind::kPow, {&base, &iexp});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->dtype(), DataType::kFloat32);
  EXPECT_EQ(Values(*m), (std::vector<double>{4, 16, 81}));
  Tensor ibase = I32({2}, {3, -2});
  Tensor iexp32 = I32({2}, {4, 3});
  EXPECT_EQ(RunValues(OpKind::kPow, {&ibase, &iexp32}), (std::vector<double>{81, -8}));
  Tensor half = F32({1}, {0.5});
  auto ip = RunOp(OpKind::kPow, {&ibase, &half});  // int32 ^ float32 -> int32, truncated
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->dtype(), DataType::kInt32);
  EXPECT_EQ(ip->data<int32_t>()[0], 1);  // sqrt(3) = 1.73
}

TEST(BinaryTest, VariadicMaxMinWithBroadcast) {
  Tensor a = F32({3}, {1, 5, 3});
  Tensor b = F32({1}, {2});
  Tensor c = F32({2, 1}, {0, 4});
  auto mx = RunOp(OpKind::kMax, {&a, &b, &c});
  ASSERT_TRUE(mx.ok());
  EXPECT_EQ(mx->dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Values(*mx), (std::vector<double>{2, 5, 3, 4, 5, 4}));
  auto mn = RunOp(OpKind::kMin, {&a, &b, &c});
  EXPECT_EQ(Values(mn.value()), (std::vector<double>{0, 0, 0, 1, 2, 2}));
  auto one = RunOp(OpKind::kMax, {&a});
  EXPECT_EQ(Values(one.value()), (std::vector<double>{1, 5, 3}));
}

TEST(BinaryTest, MaxPropagatesNaN) {
  Tensor a = F32({2}, {NAN, 1});
  Tensor b = F32({2}, {1, NAN});
  auto r = RunOp(OpKind::kMax, {&a, &b});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(Values(*r)[0]));
  EXPECT_TRUE(std::isnan(Values(*r)[1]));
}

TEST(BinaryTest, EqualGivesBool) {
  Tensor a = I64({2, 2}, {1, 2, 3, 4});
  Tensor b = I64({2}, {1, 4});
  auto r = RunOp(OpKind::kEqual, {&a, &b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dtype(), DataType::kBool);
  EXPECT_EQ(Values(*r), (std::vector<double>{1, 0, 0, 1}));
  Tensor x = MakeTensor(DataType::kBool, {2}, {1, 0});
  Tensor y = MakeTensor(DataType::kBool, {2}, {1, 1});
  EXPECT_EQ(RunValues(OpKind::kEqual, {&x, &y}), (std::vector<double>{1, 0}));
}

TEST(BinaryTest, OrderComparisonsBroadcastAndGiveBool) {
  Tensor a = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = F32({3}, {2, 2, 7});
  auto r = RunOp(OpKind::kGreaterOrEqual, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dtype(), DataType::kBool);
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Values(*r), (std::vector<double>{0, 1, 0, 1, 1, 0}));
  EXPECT_EQ(RunValues(OpKind::kGreater, {&a, &b}), (std::vector<double>{0, 0, 0, 1, 1, 0}));
  EXPECT_EQ(RunValues(OpKind::kLess, {&a, &b}), (std::vector<double>{1, 0, 1, 0, 0, 1}));
  EXPECT_EQ(RunValues(OpKind::kLessOrEqual, {&a, &b}), (std::vector<double>{1, 1, 1, 0, 0, 1}));
  // Integers compare as integers: int64 values beyond 2^53 stay distinct.
  Tensor big(DataType::kInt64, {2});
  big.data<int64_t>()[0] = (int64_t{1} << 53) + 1;
  big.data<int64_t>()[1] = -5;
  Tensor near(DataType::kInt64, {});
  near.data<int64_t>()[0] = int64_t{1} << 53;
  EXPECT_EQ(RunValues(OpKind::kGreater, {&big, &near}), (std::vector<double>{1, 0}));
}

TEST(BinaryTest, OrderComparisonsWithNaNAreFalse) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = F32({2}, {nan, 1});
  Tensor b = F32({2}, {1, nan});
  for (OpKind op : {OpKind::kGreater, OpKind::kGreaterOrEqual, OpKind::kLess, OpKind::kLessOrEqual}) {
    EXPECT_EQ(RunValues(op, {&a, &b}), (std::vector<double>{0, 0})) << OpName(op);
  }
}

TEST(BinaryTest, PReluSlopePerChannel) {
  Tensor x = F32({2, 2}, {-1, 2, -3, -4});
  Tensor slope = F32({2}, {0.5, 0.25});
  auto r = RunOp(OpKind::kPRelu, {&x, &slope});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Values(*r), (std::vector<double>{-0.5, 2, -1.5, -1}));
}

TEST(BinaryTest, PReluSlopeMayNotGrowX) {
  Tensor x = F32({2}, {1, 2});
  Tensor slope = F32({3, 2}, {});
  auto r = RunOp(OpKind::kPRelu, {&x, &slope});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
}

TEST(BinaryTest, IncompatibleShapesAndMixedTypesAreRejected) {
  Tensor a = F32({2}, {1, 2});
  Tensor b = F32({3}, {1, 2, 3});
  EXPECT_EQ(RunOp(OpKind::kAdd, {&a, &b}).status().code(), StatusCode::kInvalidModel);
  Tensor c = I32({2}, {1, 2});
  EXPECT_EQ(RunOp(OpKind::kAdd, {&a, &c}).status().code(), StatusCode::kInvalidModel);
  Tensor d = MakeTensor(DataType::kBool, {2}, {1, 0});
  EXPECT_EQ(RunOp(OpKind::kAdd, {&d, &d}).status().code(), StatusCode::kUnsupported);
}

TEST(BinaryTest, Float16ComputedAndRounded) {
  Tensor a = MakeTensor(DataType::kFloat16, {2}, {1.5, -2});
  Tensor b = MakeTensor(DataType::kFloat16, {2}, {0.25, 3});
  auto r = RunOp(OpKind::kMul, {&a, &b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dtype(), DataType::kFloat16);
  EXPECT_EQ(Values(*r), (std::vector<double>{0.375, -6}));
}

}  // namespace
}  // namespace qforge::testing
