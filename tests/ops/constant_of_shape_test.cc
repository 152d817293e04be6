#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(ConstantOfShapeTest, DefaultFloatZero) {
  Tensor shape = I64({2}, {2, 3});
  auto r = RunOp(OpKind::kConstantOfShape, {&shape});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dtype(), DataType::kFloat32);
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Values(r.value()), std::vector<double>(6, 0.0));
}

TEST(ConstantOfShapeTest, ValueAttributeSetsDtypeAndFill) {
  Tensor shape = I64({1}, {4});
  ir::Attributes a;
  a.Set("value", MakeTensor(DataType::kInt32, {1}, {7}));
  auto r = RunOp(OpKind::kConstantOfShape, {&shape}, a);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dtype(), DataType::kInt32);
  EXPECT_EQ(Values(r.value()), (std::vector<double>{7, 7, 7, 7}));
  Tensor zero = I64({1}, {0});
  auto e = RunOp(OpKind::kConstantOfShape, {&zero}, a);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->dims(), (std::vector<int64_t>{0}));
}

TEST(ConstantOfShapeTest, RejectsNegativeDimAndMultiValue) {
  Tensor shape = I64({1}, {-2});
  EXPECT_EQ(RunOp(OpKind::kConstantOfShape, {&shape}).status().code(), StatusCode::kInvalidModel);
  Tensor ok_shape = I64({1}, {2});
  ir::Attributes a;
  a.Set("value", MakeTensor(DataType::kFloat32, {2}, {1, 2}));
  EXPECT_EQ(RunOp(OpKind::kConstantOfShape, {&ok_shape}, a).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
