// The integer Max / Min kernel (kernels/ref/quantized/int_binary.cc): every
// operand and the output share one (S, Z), so the result is the maximum /
// minimum of the codes. Hand-computed goldens, broadcasting, int8 and uint8,
// and the refusal of operands of other parameters.
#include <gtest/gtest.h>

#include "int_test_helpers.h"

namespace qforge::testing {
namespace {

Ints RunMinMax(OpKind op, const std::vector<const Tensor*>& ins, DataType dtype, const QuantParams& q) {
  Result<Tensor> r = RunQ(op, {}, ins, {dtype, q});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_EQ(r->quant(), q);
  EXPECT_EQ(r->dtype(), dtype);
  return QValues(*r);
}

TEST(IntMinMax, Int8MaxWithScalarConstantClampsCodes) {
  // Max(x, -0.4) at S = 0.05, Z = -10: the constant's code is -0.4 / 0.05 - 10 = -18.
  const Tensor x = Q(DataType::kInt8, {2, 3}, {-128, -30, -18, -17, 0, 127}, 0.05f, -10);
  const Tensor c = Q(DataType::kInt8, {1}, {-18}, 0.05f, -10);
  EXPECT_EQ(RunMinMax(OpKind::kMax, {&x, &c}, DataType::kInt8, QP(0.05f, -10)),
            (Ints{-18, -18, -18, -17, 0, 127}));
  // The constant first: the same maximum.
  EXPECT_EQ(RunMinMax(OpKind::kMax, {&c, &x}, DataType::kInt8, QP(0.05f, -10)),
            (Ints{-18, -18, -18, -17, 0, 127}));
}

TEST(IntMinMax, Int8MinBroadcastsRows) {
  const Tensor a = Q(DataType::kInt8, {2, 3}, {-5, 7, 100, 20, -128, 3}, 0.1f, 4);
  const Tensor b = Q(DataType::kInt8, {3}, {0, 10, 50}, 0.1f, 4);
  // Row by row: min(-5, 0), min(7, 10), min(100, 50); min(20, 0), min(-128, 10), min(3, 50).
  EXPECT_EQ(RunMinMax(OpKind::kMin, {&a, &b}, DataType::kInt8, QP(0.1f, 4)), (Ints{-5, 7, 50, 0, -128, 3}));
}

TEST(IntMinMax, Uint8MaxOfTwoActivationsBroadcastsColumns) {
  const Tensor a = Q(DataType::kUInt8, {2, 1}, {0, 200}, 0.02f, 128);
  const Tensor b = Q(DataType::kUInt8, {1, 3}, {127, 128, 255}, 0.02f, 128);
  EXPECT_EQ(RunMinMax(OpKind::kMax, {&a, &b}, DataType::kUInt8, QP(0.02f, 128)),
            (Ints{127, 128, 255, 200, 200, 255}));
}

TEST(IntMinMax, OperandsOfOtherParametersAreRefused) {
  const Tensor a = Q(DataType::kInt8, {2}, {1, 2}, 0.1f, 0);
  const Tensor b = Q(DataType::kInt8, {2}, {1, 2}, 0.2f, 0);
  Result<Tensor> r = RunQ(OpKind::kMax, {}, {&a, &b}, {DataType::kInt8, QP(0.1f, 0)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("one scale and zero point"), std::string::npos)
      << r.status().ToString();
  // An output declared with other parameters than the operands'.
  r = RunQ(OpKind::kMin, {}, {&a, &a}, {DataType::kInt8, QP(0.3f, 0)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("keeps its inputs' scale"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace qforge::testing
