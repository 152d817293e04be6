// Golden values below are worked out by hand from the definitions in
// QUANT_SPEC.md (the derivation is in the comment next to each case).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <span>

#include "qscheme/arithmetic.h"

namespace qforge::quant {
namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

TEST(RoundToIntegral, HalfToEven) {
  const RoundingRule r = RoundingRule::kHalfToEven;
  EXPECT_EQ(RoundToIntegral(0.5, r), 0.0);
  EXPECT_EQ(RoundToIntegral(1.5, r), 2.0);
  EXPECT_EQ(RoundToIntegral(2.5, r), 2.0);
  EXPECT_EQ(RoundToIntegral(-0.5, r), 0.0);
  EXPECT_EQ(RoundToIntegral(-1.5, r), -2.0);
  EXPECT_EQ(RoundToIntegral(-2.5, r), -2.0);
  EXPECT_EQ(RoundToIntegral(-3.5, r), -4.0);
  EXPECT_EQ(RoundToIntegral(2.4999999, r), 2.0);
  EXPECT_EQ(RoundToIntegral(2.5000001, r), 3.0);
  EXPECT_EQ(RoundToIntegral(-7.0, r), -7.0);
}

TEST(RoundToIntegral, HalfAwayFromZero) {
  const RoundingRule r = RoundingRule::kHalfAwayFromZero;
  EXPECT_EQ(RoundToIntegral(0.5, r), 1.0);
  EXPECT_EQ(RoundToIntegral(2.5, r), 3.0);
  EXPECT_EQ(RoundToIntegral(-0.5, r), -1.0);
  EXPECT_EQ(RoundToIntegral(-2.5, r), -3.0);
  EXPECT_EQ(RoundToIntegral(-2.4999999, r), -2.0);
}

TEST(RoundToIntegral, NonFinitePassThrough) {
  EXPECT_TRUE(std::isnan(RoundToIntegral(NAN, RoundingRule::kHalfToEven)));
  EXPECT_EQ(RoundToIntegral(INFINITY, RoundingRule::kHalfAwayFromZero), INFINITY);
}

TEST(LimitsOf, Types) {
  auto check = [](DataType t, bool narrow, int32_t lo, int32_t hi) {
    Result<QuantLimits> l = LimitsOf(t, narrow);
    ASSERT_TRUE(l.ok()) << DataTypeName(t);
    EXPECT_EQ(l->qmin, lo) << DataTypeName(t);
    EXPECT_EQ(l->qmax, hi) << DataTypeName(t);
  };
  check(DataType::kInt8, false, -128, 127);
  check(DataType::kInt8, true, -127, 127);
  check(DataType::kUInt8, false, 0, 255);
  check(DataType::kUInt8, true, 1, 255);
  check(DataType::kInt16, false, -32768, 32767);
  check(DataType::kInt16, true, -32767, 32767);
  EXPECT_EQ(LimitsOf(DataType::kFloat32).status().code(), StatusCode::kUnsupported);
}

AffineParams Choose(float lo, float hi, int32_t qmin, int32_t qmax, bool symmetric) {
  Result<AffineParams> p = ChooseQuantParams(lo, hi, qmin, qmax, symmetric);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : AffineParams{};
}

TEST(ChooseQuantParams, AsymmetricExactRanges) {
  // [0, 255] on uint8: 255 / 255 = 1, zero point 0 - 0 / 1 = 0.
  AffineParams p = Choose(0.0f, 255.0f, 0, 255, false);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
  // [-128, 127]: scale 1; uint8 zero point 0 + 128 = 128, int8 -128 + 128 = 0.
  p = Choose(-128.0f, 127.0f, 0, 255, false);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 128);
  p = Choose(-128.0f, 127.0f, -128, 127, false);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
}

TEST(ChooseQuantParams, AsymmetricNudged) {
  // [-10, 30] uint8: scale 40/255; zero point round(10 / (40/255)) = round(63.75) = 64.
  AffineParams p = Choose(-10.0f, 30.0f, 0, 255, false);
  EXPECT_FLOAT_EQ(p.scale, 40.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 64);
  // [-1, 3] int8: scale 4/255; zero point round(-128 + 63.75) = round(-64.25) = -64.
  p = Choose(-1.0f, 3.0f, -128, 127, false);
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -64);
}

TEST(ChooseQuantParams, RangeExtendedToContainZero) {
  // [2, 10] becomes [0, 10]: zero point qmin.
  AffineParams p = Choose(2.0f, 10.0f, 0, 255, false);
  EXPECT_FLOAT_EQ(p.scale, 10.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 0);
  // [-10, -2] becomes [-10, 0]: zero point qmax.
  p = Choose(-10.0f, -2.0f, 0, 255, false);
  EXPECT_FLOAT_EQ(p.scale, 10.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 255);
  p = Choose(-10.0f, -2.0f, -128, 127, false);
  EXPECT_EQ(p.zero_point, 127);
}

TEST(ChooseQuantParams, ZeroPointTieRoundsAwayFromZero) {
  // Range [0, 4], [-2.5, 1.5]: scale 1, zero point round(0 + 2.5) = 3 (half to even would give 2).
  AffineParams p = Choose(-2.5f, 1.5f, 0, 4, false);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 3);
}

TEST(ChooseQuantParams, AllZeroRange) {
  AffineParams p = Choose(0.0f, 0.0f, 0, 255, false);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
  p = Choose(0.0f, 0.0f, -128, 127, true);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
  p = Choose(0.0f, 0.0f, 0, 255, true);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 128);
}

TEST(ChooseQuantParams, Symmetric) {
  // m = max(3, 1.27) = 3: 3 / 127, both for [-128, 127] and the narrow [-127, 127].
  AffineParams p = Choose(-3.0f, 1.27f, -128, 127, true);
  EXPECT_FLOAT_EQ(p.scale, 3.0f / 127.0f);
  EXPECT_EQ(p.zero_point, 0);
  p = Choose(-3.0f, 1.27f, -127, 127, true);
  EXPECT_FLOAT_EQ(p.scale, 3.0f / 127.0f);
  EXPECT_EQ(p.zero_point, 0);
  // int16: m / 32767.
  p = Choose(-1.0f, 2.0f, -32768, 32767, true);
  EXPECT_FLOAT_EQ(p.scale, 2.0f / 32767.0f);
  // uint8: midpoint 128, scale m / (255 - 128) = 2.54 / 127 = 0.02.
  p = Choose(-1.0f, 2.54f, 0, 255, true);
  EXPECT_FLOAT_EQ(p.scale, 0.02f);
  EXPECT_EQ(p.zero_point, 128);
}

TEST(ChooseQuantParams, TinyRangeKeepsANormalScale) {
  AffineParams p = Choose(0.0f, 1e-45f, 0, 255, false);
  EXPECT_EQ(p.scale, std::numeric_limits<float>::min());
  EXPECT_EQ(p.zero_point, 0);
}

TEST(ChooseQuantParams, BadRanges) {
  EXPECT_EQ(ChooseQuantParams(NAN, 1.0f, 0, 255, false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseQuantParams(0.0f, INFINITY, 0, 255, false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseQuantParams(2.0f, 1.0f, 0, 255, false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseQuantParams(0.0f, 1.0f, 5, 5, false).status().code(), StatusCode::kInvalidArgument);
}

TEST(ChooseQuantParamsPerAxis, OnePairPerChannel) {
  const float mins[] = {0.0f, -128.0f};
  const float maxs[] = {255.0f, 127.0f};
  Result<QuantParams> q = ChooseQuantParamsPerAxis(mins, maxs, 0, 255, false, 1);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->axis, 1);
  EXPECT_EQ(q->scale, (std::vector<float>{1.0f, 1.0f}));
  EXPECT_EQ(q->zero_point, (std::vector<int64_t>{0, 128}));
  const float bad_maxs[] = {255.0f, -200.0f};
  Result<QuantParams> bad = ChooseQuantParamsPerAxis(mins, bad_maxs, 0, 255, false, 0);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("channel 1"), std::string::npos);
}

// DynamicQuantizeLinear: the parameters of a tensor from its range.
AffineParams DynamicParamsOf(std::initializer_list<float> x) {
  const RealRange r = DynamicQuantizeRange(std::span<const float>(x.begin(), x.size()));
  return DynamicQuantizeParams(r.lo, r.hi);
}

TEST(DynamicQuantizeRange, ExtendsToZeroSkipsNanKeepsPositiveZero) {
  const float x[] = {NAN, 2.0f, -1.0f, NAN};
  EXPECT_EQ(DynamicQuantizeRange(x).lo, -1.0f);
  EXPECT_EQ(DynamicQuantizeRange(x).hi, 2.0f);
  // All positive: lo is 0; all negative: hi is 0.
  const float positive[] = {3.0f, 5.0f};
  EXPECT_EQ(DynamicQuantizeRange(positive).lo, 0.0f);
  const float negative[] = {-3.0f, -5.0f};
  EXPECT_EQ(DynamicQuantizeRange(negative).hi, 0.0f);
  // -0 never replaces the initial +0 (std::min keeps the first of equals).
  const float zeros[] = {-0.0f, 0.0f, -0.0f};
  EXPECT_FALSE(std::signbit(DynamicQuantizeRange(zeros).lo));
  EXPECT_FALSE(std::signbit(DynamicQuantizeRange(zeros).hi));
  const float only_nan[] = {NAN};
  EXPECT_EQ(DynamicQuantizeRange(only_nan).lo, 0.0f);
  EXPECT_EQ(DynamicQuantizeRange(only_nan).hi, 0.0f);
  EXPECT_EQ(DynamicQuantizeRange({}).hi, 0.0f);
}

TEST(DynamicQuantizeParams, AllZeroTensorHasScaleOne) {
  const AffineParams p = DynamicParamsOf({0.0f, -0.0f, 0.0f});
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
}

TEST(DynamicQuantizeParams, AllPositiveAndAllNegative) {
  // [0, 255]: scale 255 / 255 = 1, zero point 0 / 1 = 0.
  AffineParams p = DynamicParamsOf({7.0f, 255.0f, 1.0f});
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
  // [0, 1]: scale is the float32 quotient 1 / 255.
  p = DynamicParamsOf({0.5f, 1.0f});
  EXPECT_EQ(p.scale, 1.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 0);
  // [-510, 0]: scale 2, zero point 510 / 2 = 255.
  p = DynamicParamsOf({-510.0f, -3.0f});
  EXPECT_EQ(p.scale, 2.0f);
  EXPECT_EQ(p.zero_point, 255);
}

TEST(DynamicQuantizeParams, ZeroPointRoundsHalfToEven) {
  // [-2.5, 252.5]: scale 1, (0 + 2.5) / 1 = 2.5 -> 2 (half away would give 3).
  EXPECT_EQ(DynamicQuantizeParams(-2.5f, 252.5f).zero_point, 2);
  // [-3.5, 251.5]: 3.5 -> 4.
  EXPECT_EQ(DynamicQuantizeParams(-3.5f, 251.5f).zero_point, 4);
  // [-0.25, 0.2]: scale (0.2 + 0.25) / 255 = 0.00176.., 0.25 / scale = 141.67 -> 142.
  EXPECT_EQ(DynamicQuantizeParams(-0.25f, 0.2f).zero_point, 142);
}

TEST(DynamicQuantizeParams, LargeFiniteRanges) {
  // [-2^127, 127 * 2^120]: width 255 * 2^120, scale 2^120, zero point 2^127 / 2^120 = 128.
  AffineParams p = DynamicQuantizeParams(-std::ldexp(1.0f, 127), 127.0f * std::ldexp(1.0f, 120));
  EXPECT_EQ(p.scale, std::ldexp(1.0f, 120));
  EXPECT_EQ(p.zero_point, 128);
  // [-max, max]: the width overflows float32, the scale is +inf and the zero
  // point max / inf = 0.
  const float big = std::numeric_limits<float>::max();
  p = DynamicQuantizeParams(-big, big);
  EXPECT_EQ(p.scale, INFINITY);
  EXPECT_EQ(p.zero_point, 0);
}

TEST(DynamicQuantizeParams, InfiniteAndUnderflowingRanges) {
  // lo = -inf: scale +inf, inf / inf = NaN -> zero point 0.
  AffineParams p = DynamicQuantizeParams(-INFINITY, 1.0f);
  EXPECT_EQ(p.scale, INFINITY);
  EXPECT_EQ(p.zero_point, 0);
  // hi = +inf, lo = -1: 1 / inf = 0.
  EXPECT_EQ(DynamicQuantizeParams(-1.0f, INFINITY).zero_point, 0);
  // A width of one subnormal step: 2^-149 / 255 underflows to scale 0.
  const float tiny = std::numeric_limits<float>::denorm_min();
  p = DynamicQuantizeParams(0.0f, tiny);
  EXPECT_EQ(p.scale, 0.0f);
  EXPECT_EQ(p.zero_point, 0);                                     // 0 / 0 = NaN
  EXPECT_EQ(DynamicQuantizeParams(-tiny, 0.0f).zero_point, 255);  // tiny / 0 = +inf
}

TEST(QuantizeValue, OnnxBackendCase) {
  // ONNX QuantizeLinear example: scale 2, zero point 128; 3 / 2 = 1.5 rounds to 2.
  const float x[] = {0, 2, 3, 1000, -254, -1000};
  const int32_t y[] = {128, 129, 130, 255, 1, 0};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(QuantizeValue(x[i], 2.0f, 128, 0, 255, RoundingRule::kHalfToEven), y[i]) << x[i];
  }
}

TEST(QuantizeValue, TiesFollowTheRule) {
  EXPECT_EQ(QuantizeValue(2.5f, 1.0f, 0, -128, 127, RoundingRule::kHalfToEven), 2);
  EXPECT_EQ(QuantizeValue(3.5f, 1.0f, 0, -128, 127, RoundingRule::kHalfToEven), 4);
  EXPECT_EQ(QuantizeValue(-2.5f, 1.0f, 0, -128, 127, RoundingRule::kHalfToEven), -2);
  EXPECT_EQ(QuantizeValue(2.5f, 1.0f, 0, -128, 127, RoundingRule::kHalfAwayFromZero), 3);
  EXPECT_EQ(QuantizeValue(-2.5f, 1.0f, 0, -128, 127, RoundingRule::kHalfAwayFromZero), -3);
  // -0.25 / 0.5 = -0.5: even -> 0, away -> -1; then + 10.
  EXPECT_EQ(QuantizeValue(-0.25f, 0.5f, 10, -128, 127, RoundingRule::kHalfToEven), 10);
  EXPECT_EQ(QuantizeValue(-0.25f, 0.5f, 10, -128, 127, RoundingRule::kHalfAwayFromZero), 9);
}

TEST(QuantizeValue, SaturatesAndHandlesNonFinite) {
  EXPECT_EQ(QuantizeValue(1e30f, 1e-30f, 0, -128, 127, RoundingRule::kHalfToEven), 127);
  EXPECT_EQ(QuantizeValue(INFINITY, 1.0f, 3, -128, 127, RoundingRule::kHalfToEven), 127);
  EXPECT_EQ(QuantizeValue(-INFINITY, 1.0f, 3, -128, 127, RoundingRule::kHalfToEven), -128);
  EXPECT_EQ(QuantizeValue(NAN, 1.0f, 3, -128, 127, RoundingRule::kHalfToEven), 3);
  EXPECT_EQ(QuantizeValue(1.0f, 0.0f, 3, 0, 255, RoundingRule::kHalfToEven), 255);  // 1 / 0 = +inf
  EXPECT_EQ(QuantizeValue(0.0f, 0.0f, 3, 0, 255, RoundingRule::kHalfToEven), 3);    // 0 / 0 = NaN
  EXPECT_EQ(QuantizeValue(40000.0f, 1.0f, 0, -32768, 32767, RoundingRule::kHalfToEven), 32767);
}

TEST(DequantizeValue, Basic) {
  EXPECT_EQ(DequantizeValue(0, 2.0f, 128), -256.0f);
  EXPECT_EQ(DequantizeValue(3, 2.0f, 128), -250.0f);
  EXPECT_EQ(DequantizeValue(255, 2.0f, 128), 254.0f);
  EXPECT_EQ(DequantizeValue(kMin, 1.0f, 1), -2147483649.0f);  // the difference does not wrap
}

QuantizedMultiplier QM(double real) {
  Result<QuantizedMultiplier> q = QuantizeMultiplier(real);
  EXPECT_TRUE(q.ok()) << real;
  return q.ok() ? *q : QuantizedMultiplier{};
}

TEST(QuantizeMultiplier, PowersAndFractions) {
  EXPECT_EQ(QM(0.5).multiplier, 1 << 30);
  EXPECT_EQ(QM(0.5).shift, 0);
  EXPECT_EQ(QM(0.25).multiplier, 1 << 30);
  EXPECT_EQ(QM(0.25).shift, -1);
  EXPECT_EQ(QM(1.0).multiplier, 1 << 30);
  EXPECT_EQ(QM(1.0).shift, 1);
  EXPECT_EQ(QM(0.75).multiplier, 1610612736);  // 0.75 * 2^31
  EXPECT_EQ(QM(0.75).shift, 0);
  EXPECT_EQ(QM(3.0).multiplier, 1610612736);  // 3 = 0.75 * 2^2
  EXPECT_EQ(QM(3.0).shift, 2);
  EXPECT_EQ(QM(0.0).multiplier, 0);
  EXPECT_EQ(QM(0.0).shift, 0);
}

TEST(QuantizeMultiplier, MantissaRoundingUpToTwoPow31) {
  // 1 - 2^-40 = (1 - 2^-40) * 2^0; the mantissa times 2^31 is 2^31 - 2^-9, which rounds to 2^31.
  QuantizedMultiplier q = QM(1.0 - std::ldexp(1.0, -40));
  EXPECT_EQ(q.multiplier, 1 << 30);
  EXPECT_EQ(q.shift, 1);
}

TEST(QuantizeMultiplier, TinyMultipliers) {
  // 2^-32 = 0.5 * 2^-31: still representable with shift -31.
  EXPECT_EQ(QM(std::ldexp(1.0, -32)).multiplier, 1 << 30);
  EXPECT_EQ(QM(std::ldexp(1.0, -32)).shift, -31);
  EXPECT_EQ(QM(std::ldexp(0.75, -31)).multiplier, 1610612736);
  EXPECT_EQ(QM(std::ldexp(0.75, -31)).shift, -31);
  // 2^-33 = 0.5 * 2^-32: no right shift can express it; becomes 0.
  EXPECT_EQ(QM(std::ldexp(1.0, -33)).multiplier, 0);
  EXPECT_EQ(QM(std::ldexp(1.0, -33)).shift, 0);
  EXPECT_EQ(QM(1e-30).multiplier, 0);
}

TEST(QuantizeMultiplier, LargeAndInvalid) {
  QuantizedMultiplier q = QM(std::ldexp(0.75, 31));  // 1.5 * 2^30
  EXPECT_EQ(q.multiplier, 1610612736);
  EXPECT_EQ(q.shift, 31);
  EXPECT_EQ(QuantizeMultiplier(std::ldexp(1.0, 31)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QuantizeMultiplier(-0.5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QuantizeMultiplier(NAN).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QuantizeMultiplier(INFINITY).status().code(), StatusCode::kInvalidArgument);
}

TEST(QuantizeMultiplier, RepresentsTheRealWithin31Bits) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> exponent(-30.0, 30.0);
  for (int i = 0; i < 1000; ++i) {
    const double real = std::exp2(exponent(rng));
    QuantizedMultiplier q = QM(real);
    ASSERT_GE(q.multiplier, 1 << 30);
    const double represented = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
    // Rounding the mantissa to 31 bits: relative error at most 2^-31.
    EXPECT_LE(std::fabs(represented - real) / real, std::ldexp(1.0, -31)) << real;
  }
}

TEST(SaturatingRoundingDoublingHighMul, Saturation) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, kMin), kMax);
  // (2^31-1)^2 / 2^31 = 2^31 - 2 + (1 + 2^30) / 2^31 -> 2^31 - 2 after rounding (the fraction is < 0.5).
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMax, kMax), 2147483646);
  // -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1) exactly.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, kMax), -2147483647);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, 1), -1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(0, kMin), 0);
}

TEST(SaturatingRoundingDoublingHighMul, TiesRoundTowardPlusInfinity) {
  // a * b / 2^31 for b = 1: a = 2^30 is 0.5.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1 << 30, 1), 1);          // 0.5 -> 1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1 << 30, 3), 2);          // 1.5 -> 2
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-(1 << 30), 1), 0);       // -0.5 -> 0
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-(1 << 30), 3), -1);      // -1.5 -> -1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul((1 << 30) + 1, 1), 1);    // just above 0.5
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-(1 << 30) - 1, 1), -1);  // just below -0.5
  EXPECT_EQ(SaturatingRoundingDoublingHighMul((1 << 30) - 1, 1), 0);    // just below 0.5
}

TEST(RoundingDivideByPOT, TiesAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);    // 2.5
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);  // -2.5
  EXPECT_EQ(RoundingDivideByPOT(-1, 1), -1);  // -0.5
  EXPECT_EQ(RoundingDivideByPOT(1, 1), 1);    // 0.5
  EXPECT_EQ(RoundingDivideByPOT(-4, 1), -2);
  EXPECT_EQ(RoundingDivideByPOT(7, 2), 2);    // 1.75
  EXPECT_EQ(RoundingDivideByPOT(-7, 2), -2);  // -1.75
  EXPECT_EQ(RoundingDivideByPOT(6, 2), 2);    // 1.5
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);  // -1.5
  EXPECT_EQ(RoundingDivideByPOT(5, 2), 1);    // 1.25
  EXPECT_EQ(RoundingDivideByPOT(-5, 2), -1);  // -1.25
}

TEST(RoundingDivideByPOT, ExponentLimits) {
  EXPECT_EQ(RoundingDivideByPOT(kMin, 0), kMin);
  EXPECT_EQ(RoundingDivideByPOT(kMax, 0), kMax);
  EXPECT_EQ(RoundingDivideByPOT(kMin, 1), -(1 << 30));
  EXPECT_EQ(RoundingDivideByPOT(kMax, 31), 1);         // 0.99999...
  EXPECT_EQ(RoundingDivideByPOT(kMin, 31), -1);        // exactly -1
  EXPECT_EQ(RoundingDivideByPOT(1 << 30, 31), 1);      // 0.5 -> 1
  EXPECT_EQ(RoundingDivideByPOT(-(1 << 30), 31), -1);  // -0.5 -> -1
  EXPECT_EQ(RoundingDivideByPOT((1 << 30) - 1, 31), 0);
  EXPECT_EQ(RoundingDivideByPOT(-(1 << 30) + 1, 31), 0);
}

TEST(RoundingShift, LeftSaturatesRightRounds) {
  EXPECT_EQ(RoundingShift(3, 2), 12);
  EXPECT_EQ(RoundingShift(1 << 30, 1), kMax);
  EXPECT_EQ(RoundingShift(-(1 << 30), 1), kMin);  // exactly -2^31: no saturation needed
  EXPECT_EQ(RoundingShift(-(1 << 30) - 1, 1), kMin);
  EXPECT_EQ(RoundingShift(1, 31), kMax);
  EXPECT_EQ(RoundingShift(-1, 31), kMin);
  EXPECT_EQ(RoundingShift(5, -1), 3);
  EXPECT_EQ(RoundingShift(-5, -1), -3);
  EXPECT_EQ(RoundingShift(kMin, -31), -1);
}

TEST(MultiplyByQuantizedMultiplier, HandComputed) {
  // 100 * 0.5: high-mul gives exactly 50.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, 1 << 30, 0), 50);
  // 101 * 0.25 with (2^30, -1): high-mul 50.5 -> 51 (tie up), then 51 / 2 = 25.5 -> 26.
  // The exact product 25.25 would round to 25: the scheme rounds twice, by design.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(101, 1 << 30, -1), 26);
  // -101 * 0.25: high-mul -50.5 -> -50 (tie toward +inf), then -50 / 2 = -25.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-101, 1 << 30, -1), -25);
  // 3 * 3.0 with (0.75 * 2^31, 2): 3 << 2 = 12, 12 * 0.75 = 9.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(3, 1610612736, 2), 9);
  // 2^30 << 2 saturates to 2^31 - 1; times 0.5 = 2^30 - 0.5 -> 2^30 (tie up).
  EXPECT_EQ(MultiplyByQuantizedMultiplier(1 << 30, 1 << 30, 2), 1 << 30);
  // Largest right shift: high-mul of -2^31 and 0.5 is -2^30 exactly, then -2^30 / 2^31 = -0.5 -> -1.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(kMin, 1 << 30, -31), -1);
}

TEST(MultiplyByQuantizedMultiplier, WithinOneOfTheExactProduct) {
  // Two roundings (high-mul and shift) plus the 31-bit multiplier: at most
  // one step from the exact product.
  constexpr double kTwoRoundingsTolerance = 1.0;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> exponent(-20.0, 0.0);
  std::uniform_int_distribution<int32_t> acc_dist(-(1 << 24), 1 << 24);
  for (int i = 0; i < 2000; ++i) {
    const double real = std::exp2(exponent(rng));
    const int32_t acc = acc_dist(rng);
    QuantizedMultiplier q = QM(real);
    const int32_t got = MultiplyByQuantizedMultiplier(acc, q.multiplier, q.shift);
    EXPECT_LE(std::fabs(got - acc * real), kTwoRoundingsTolerance) << acc << " * " << real;
  }
}

TEST(RequantizeFloat, HalfToEvenThenZeroPointThenClamp) {
  EXPECT_EQ(RequantizeFloat(5, 0.5f, 10, 0, 255), 12);  // 2.5 -> 2
  EXPECT_EQ(RequantizeFloat(7, 0.5f, 10, 0, 255), 14);  // 3.5 -> 4
  EXPECT_EQ(RequantizeFloat(-5, 0.5f, 10, 0, 255), 8);  // -2.5 -> -2
  EXPECT_EQ(RequantizeFloat(1000, 1.0f, 0, 0, 255), 255);
  EXPECT_EQ(RequantizeFloat(-1000, 1.0f, 0, 0, 255), 0);
  EXPECT_EQ(RequantizeFloat(-1000, 1.0f, 0, -128, 127), -128);
  EXPECT_EQ(RequantizeFloat(3, NAN, 7, -128, 127), 7);
}

}  // namespace
}  // namespace qforge::quant
