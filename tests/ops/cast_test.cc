#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

ir::Attributes To(DataType t) {
  ir::Attributes a;
  a.Set("to", static_cast<int64_t>(t));
  return a;
}

TEST(CastTest, FloatToIntTruncatesTowardZero) {
  Tensor x = F32({4}, {2.9, -2.9, 0.5, -0.5});
  auto r = RunOp(OpKind::kCast, {&x}, To(DataType::kInt32));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dtype(), DataType::kInt32);
  EXPECT_EQ(Values(r.value()), (std::vector<double>{2, -2, 0, 0}));
}

TEST(CastTest, FloatToIntSaturatesOutOfRange) {
  Tensor x = F32({4}, {1e10, -1e10, 300, NAN});
  EXPECT_EQ(RunValues(OpKind::kCast, {&x}, To(DataType::kInt32)),
            (std::vector<double>{2147483647.0, -2147483648.0, 300, 0}));
  EXPECT_EQ(RunValues(OpKind::kCast, {&x}, To(DataType::kInt8)), (std::vector<double>{127, -128, 127, 0}));
  EXPECT_EQ(RunValues(OpKind::kCast, {&x}, To(DataType::kUInt8)), (std::vector<double>{255, 0, 255, 0}));
  auto r = RunOp(OpKind::kCast, {&x}, To(DataType::kInt64));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data<int64_t>()[0], 10000000000);
}

TEST(CastTest, ToBoolIsNonZero) {
  Tensor x = F32({4}, {0, -0.0, 0.1, -3});
  EXPECT_EQ(RunValues(OpKind::kCast, {&x}, To(DataType::kBool)), (std::vector<double>{0, 0, 1, 1}));
  Tensor b = MakeTensor(DataType::kBool, {2}, {1, 0});
  EXPECT_EQ(RunValues(OpKind::kCast, {&b}, To(DataType::kFloat32)), (std::vector<double>{1, 0}));
}

TEST(CastTest, IntegerNarrowingWraps) {
  Tensor x = I32({3}, {300, -129, 127});
  EXPECT_EQ(RunValues(OpKind::kCast, {&x}, To(DataType::kInt8)), (std::vector<double>{44, 127, 127}));
}

TEST(CastTest, Int64KeepsFullPrecision) {
  Tensor x = I64({1}, {0});
  x.data<int64_t>()[0] = (int64_t{1} << 60) + 1;  // not representable in double
  auto r = RunOp(OpKind::kCast, {&x}, To(DataType::kInt64));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data<int64_t>()[0], (int64_t{1} << 60) + 1);
}

TEST(CastTest, HalfAndDouble) {
  Tensor x = F32({3}, {1.0009765625, 65520, 0.1});  // 1 + 2^-10 is exact in half; 65520 overflows
  auto h = RunOp(OpKind::kCast, {&x}, To(DataType::kFloat16));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->data<uint16_t>()[0], 0x3C01);
  EXPECT_EQ(h->data<uint16_t>()[1], 0x7C00);  // +inf
  auto back = RunOp(OpKind::kCast, {&h.value()}, To(DataType::kFloat64));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->data<double>()[0], 1.0009765625);
  EXPECT_NEAR(back->data<double>()[2], 0.1, 1e-4);
  Tensor d = MakeTensor(DataType::kFloat64, {2}, {1e300, 0.5});
  auto f = RunOp(OpKind::kCast, {&d}, To(DataType::kFloat32));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(std::isinf(f->data<float>()[0]));
  EXPECT_EQ(f->data<float>()[1], 0.5f);
}

TEST(CastTest, BadTargetIsUnsupported) {
  Tensor x = F32({1}, {1});
  ir::Attributes a;
  a.Set("to", int64_t{99});
  EXPECT_EQ(RunOp(OpKind::kCast, {&x}, a).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(RunOp(OpKind::kCast, {&x}, {}).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
