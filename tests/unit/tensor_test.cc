#include "qforge/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace qforge {
namespace {

TEST(Tensor, CheckedElementCountRejectsOverflowAndNegative) {
  std::vector<int64_t> ok = {2, 3, 4};
  EXPECT_EQ(CheckedElementCount(ok), 24);
  std::vector<int64_t> neg = {2, -1};
  EXPECT_EQ(CheckedElementCount(neg), -1);
  std::vector<int64_t> huge = {int64_t{1} << 40, int64_t{1} << 40};
  EXPECT_EQ(CheckedElementCount(huge), -1);
  std::vector<int64_t> zero = {0, int64_t{1} << 62, 4};
  EXPECT_EQ(CheckedElementCount(zero), 0);
}

TEST(Tensor, HalfRoundTripsExactValuesAndRoundsToNearestEven) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.9604645e-08f}) {
    EXPECT_EQ(HalfToFloat(FloatToHalf(f)), f) << f;
  }
  // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even (1).
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + std::ldexp(1.0f, -11))), 1.0f);
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 3 * std::ldexp(1.0f, -11))), 1.0f + std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isinf(HalfToFloat(FloatToHalf(1e6f))));
  EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(NAN))));
}

TEST(Tensor, ReshapedSharesBytesAndCloneCopies) {
  Tensor t(DataType::kFloat32, {2, 3});
  t.data<float>()[5] = 7.0f;
  Tensor r = t.Reshaped({6});
  EXPECT_EQ(r.data<float>()[5], 7.0f);
  Tensor c = t.Clone();
  t.data<float>()[5] = 1.0f;
  EXPECT_EQ(r.data<float>()[5], 1.0f);
  EXPECT_EQ(c.data<float>()[5], 7.0f);
}

}  // namespace
}  // namespace qforge
