#include <gtest/gtest.h>

#include <cmath>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(ClipTest, BothBounds) {
  Tensor x = F32({5}, {-3, -1, 0, 2, 7});
  Tensor lo = F32({}, {-1.5});
  Tensor hi = F32({}, {2.5});
  EXPECT_EQ(RunValues(OpKind::kClip, {&x, &lo, &hi}), (std::vector<double>{-1.5, -1, 0, 2, 2.5}));
}

TEST(ClipTest, MissingBoundsAreUnbounded) {
  Tensor x = F32({3}, {-100, 0, 100});
  Tensor hi = F32({}, {6});
  EXPECT_EQ(RunValues(OpKind::kClip, {&x, nullptr, &hi}), (std::vector<double>{-100, 0, 6}));
  Tensor lo = F32({}, {0});
  EXPECT_EQ(RunValues(OpKind::kClip, {&x, &lo}), (std::vector<double>{0, 0, 100}));
  EXPECT_EQ(RunValues(OpKind::kClip, {&x}), (std::vector<double>{-100, 0, 100}));
}

TEST(ClipTest, MinAboveMaxGivesMax) {
  Tensor x = F32({2}, {-5, 5});
  Tensor lo = F32({}, {2});
  Tensor hi = F32({}, {1});
  EXPECT_EQ(RunValues(OpKind::kClip, {&x, &lo, &hi}), (std::vector<double>{1, 1}));
}

TEST(ClipTest, Int8AndNaN) {
  Tensor x = MakeTensor(DataType::kInt8, {3}, {-128, 5, 127});
  Tensor lo = MakeTensor(DataType::kInt8, {}, {-10});
  Tensor hi = MakeTensor(DataType::kInt8, {}, {10});
  EXPECT_EQ(RunValues(OpKind::kClip, {&x, &lo, &hi}), (std::vector<double>{-10, 5, 10}));
  Tensor n = F32({1}, {NAN});
  Tensor flo = F32({}, {0});
  EXPECT_TRUE(std::isnan(RunValues(OpKind::kClip, {&n, &flo})[0]));
}

TEST(ClipTest, BoundDtypeMustMatch) {
  Tensor x = F32({1}, {1});
  Tensor lo = I32({}, {0});
  EXPECT_EQ(RunOp(OpKind::kClip, {&x, &lo}).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
