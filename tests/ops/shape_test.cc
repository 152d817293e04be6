#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

ir::Attributes StartEnd(int64_t start, int64_t end) {
  ir::Attributes a;
  a.Set("start", start);
  a.Set("end", end);
  return a;
}

TEST(ShapeTest, AllDimsAsInt64) {
  Tensor x = F32({2, 3, 4}, {});
  auto r = RunOp(OpKind::kShape, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dtype(), DataType::kInt64);
  EXPECT_EQ(Values(r.value()), (std::vector<double>{2, 3, 4}));
}

TEST(ShapeTest, StartEndSliceAndClamp) {
  Tensor x = F32({2, 3, 4}, {});
  EXPECT_EQ(RunValues(OpKind::kShape, {&x}, StartEnd(1, -1)), (std::vector<double>{3}));
  EXPECT_EQ(RunValues(OpKind::kShape, {&x}, StartEnd(-10, 10)), (std::vector<double>{2, 3, 4}));
  auto empty = RunOp(OpKind::kShape, {&x}, StartEnd(2, 1));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->dims(), (std::vector<int64_t>{0}));
}

TEST(ShapeTest, NeverReadsData) {
  // The interpreter folds Shape of a static tensor with a null data pointer.
  Tensor placeholder = Tensor::View(DataType::kFloat32, {5, 7}, nullptr);
  EXPECT_EQ(RunValues(OpKind::kShape, {&placeholder}), (std::vector<double>{5, 7}));
}

TEST(ShapeTest, SizeIsTheElementCountAsInt64Scalar) {
  Tensor placeholder = Tensor::View(DataType::kFloat32, {5, 7, 3}, nullptr);
  auto r = RunOp(OpKind::kSize, {&placeholder});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dtype(), DataType::kInt64);
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{105}));
  Tensor empty = F32({4, 0}, {});
  EXPECT_EQ(RunValues(OpKind::kSize, {&empty}), (std::vector<double>{0}));
}

}  // namespace
}  // namespace qforge::testing
