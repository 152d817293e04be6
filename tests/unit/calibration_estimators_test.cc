// Range estimators on synthetic tensors with known distributions. Samples are
// deterministic: x_i = F^-1((i + 0.5) / n), so their empirical quantiles are
// the analytic ones up to 1/n and no random seed can make a test flaky.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "quant/calibration/calibration.h"

namespace qforge::quant {
namespace {

constexpr int kSamples = 100000;

std::vector<float> QuantileSample(const std::function<double(double)>& inverse_cdf, int n = kSamples) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(inverse_cdf((i + 0.5) / n));
  return v;
}

double NormalInverseCdf(double u) {
  double lo = -40, hi = 40;  // bisection on Phi(x) = erfc(-x / sqrt 2) / 2: plenty fast and exact enough
  for (int i = 0; i < 64; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < u ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double LaplaceInverseCdf(double u) {
  return u < 0.5 ? std::log(2 * u) : -std::log(2 * (1 - u));  // scale b = 1
}

// Stats of one tensor "t" observed in batches of `batch` values.
CalibrationStats StatsOf(const std::vector<float>& v, size_t batch = 4096) {
  CalibrationStats s;
  for (size_t first = 0; first < v.size(); first += batch) {
    s.Observe("t", std::span<const float>(v.data() + first, std::min(batch, v.size() - first)));
  }
  return s;
}

TensorRange RangeOf(const CalibrationStats& s, EstimatorOptions opt) {
  auto r = ComputeRanges(s, opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || r->count("t") == 0) return {};
  return r->at("t");
}

EstimatorOptions With(RangeEstimator e) {
  EstimatorOptions o;
  o.estimator = e;
  return o;
}

TEST(CalibrationEstimators, NamesRoundTrip) {
  for (auto e : {RangeEstimator::kMinMax, RangeEstimator::kMovingAverageMinMax, RangeEstimator::kPercentile,
                 RangeEstimator::kEntropy, RangeEstimator::kMse}) {
    auto parsed = ParseRangeEstimator(RangeEstimatorName(e));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, e);
  }
  EXPECT_STREQ(RangeEstimatorName(RangeEstimator::kMovingAverageMinMax), "moving-avg");
  auto bad = ParseRangeEstimator("kl");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'kl'"), std::string::npos);
}

TEST(CalibrationEstimators, MinMaxAndMovingAverage) {
  CalibrationStats s;
  const std::vector<float> b1 = {-1.0f, 1.0f}, b2 = {-3.0f, 2.0f}, b3 = {-2.0f, 3.0f};
  s.Observe("t", b1);
  s.Observe("t", b2);
  s.Observe("t", b3);
  EXPECT_EQ(RangeOf(s, With(RangeEstimator::kMinMax)), (TensorRange{-3.0f, 3.0f}));
  EstimatorOptions ema = With(RangeEstimator::kMovingAverageMinMax);
  ema.momentum = 0.5;
  // max: 1 -> 1 + 0.5 (2 - 1) = 1.5 -> 1.5 + 0.5 (3 - 1.5) = 2.25; min: -1 -> -2 -> -2.
  EXPECT_EQ(RangeOf(s, ema), (TensorRange{-2.0f, 2.25f}));
  ema.momentum = 1.0;  // the last batch alone
  EXPECT_EQ(RangeOf(s, ema), (TensorRange{-2.0f, 3.0f}));
}

TEST(CalibrationEstimators, PercentileOfUniformWithinOneBin) {
  // U(-2, 6): quantile(u) = -2 + 8u.
  const CalibrationStats s = StatsOf(QuantileSample([](double u) { return -2 + 8 * u; }));
  const double bin = s.Find("t")->histogram.bin_width();
  EstimatorOptions o = With(RangeEstimator::kPercentile);
  o.percentile = 99.0;
  const TensorRange r = RangeOf(s, o);
  EXPECT_NEAR(r.max, 5.92, bin);
  EXPECT_NEAR(r.min, -1.92, bin);
  o.percentile = 100.0;
  EXPECT_EQ(RangeOf(s, o), (TensorRange{s.Find("t")->min, s.Find("t")->max}));
}

TEST(CalibrationEstimators, PercentileOfGaussianWithinOneBin) {
  const CalibrationStats s = StatsOf(QuantileSample(NormalInverseCdf));
  const double bin = s.Find("t")->histogram.bin_width();
  EstimatorOptions o = With(RangeEstimator::kPercentile);
  o.percentile = 99.9;
  const TensorRange r = RangeOf(s, o);
  const double z = NormalInverseCdf(0.999);  // 3.0902
  EXPECT_NEAR(z, 3.0902, 1e-4);
  EXPECT_NEAR(r.max, z, bin);
  EXPECT_NEAR(r.min, -z, bin);
}

TEST(CalibrationEstimators, PercentileKeepsAnExactZeroMin) {
  std::vector<float> v = QuantileSample([](double u) { return 10 * u; });
  v.push_back(0.0f);
  const CalibrationStats s = StatsOf(v);
  EstimatorOptions o = With(RangeEstimator::kPercentile);
  o.percentile = 99.0;
  const TensorRange r = RangeOf(s, o);
  EXPECT_EQ(r.min, 0.0f);
  EXPECT_NEAR(r.max, 9.9, s.Find("t")->histogram.bin_width());
}

// Laplace(0, 1) with a few huge outliers: min/max is ruined by them; entropy
// and MSE must clip far below. The sample is large on purpose: keeping an
// outlier at m costs every value the rounding noise (2m / 255)^2 / 12, about
// 5e-6 m^2, while clipping it costs m^2 once, so MSE is right to keep
// outliers more frequent than ~5e-6 (real activations have millions of
// elements per calibration batch).
constexpr int kLargeSample = 1000000;

CalibrationStats HeavyTailed() {
  std::vector<float> v = QuantileSample(LaplaceInverseCdf, kLargeSample);
  for (float x : {1000.0f, -900.0f}) v.push_back(x);
  return StatsOf(v, 65536);
}

TEST(CalibrationEstimators, EntropyClipsHeavyTails) {
  const TensorRange r = RangeOf(HeavyTailed(), With(RangeEstimator::kEntropy));
  // The search starts at 128 of the ~1000 magnitude bins (TensorRT's
  // smallest candidate), so the threshold is well below max, and symmetric.
  EXPECT_LT(r.max, 1000.0f / 4);
  EXPECT_GT(r.max, 5.0f);  // the Laplacian bulk itself (99.9% within 6.2) is kept
  EXPECT_EQ(r.min, -r.max);
}

TEST(CalibrationEstimators, MseClipsHeavyTails) {
  const TensorRange r = RangeOf(HeavyTailed(), With(RangeEstimator::kMse));
  // Clipping the two outliers to t costs (1000 - t)^2 + (900 - t)^2; the
  // noise of a range t over 10^6 values is 10^6 (2t / 255)^2 / 12: the
  // optimum is t ~ 270, interior and well below the max.
  EXPECT_LT(r.max, 1000.0f / 3);
  EXPECT_GT(r.max, 200.0f);
  EXPECT_EQ(r.min, -r.max);
}

TEST(CalibrationEstimators, MseOfLaplaceMatchesTheAnalyticOptimum) {
  // Banner et al. (ACIQ): 8-bit quantization of Laplace(0, b) has its MSE
  // optimum at 9.89 b. The sample's max is ln(2 * 10^6) = 14.5.
  const TensorRange r =
      RangeOf(StatsOf(QuantileSample(LaplaceInverseCdf, kLargeSample), 65536), With(RangeEstimator::kMse));
  EXPECT_NEAR(r.max, 9.89, 0.5);
  EXPECT_EQ(r.min, -r.max);
}

TEST(CalibrationEstimators, EntropyAndMseLeaveUniformAlmostUnclipped) {
  const CalibrationStats two_sided = StatsOf(QuantileSample([](double u) { return -1 + 2 * u; }));
  const CalibrationStats one_sided = StatsOf(QuantileSample([](double u) { return u; }));
  // Relu of U(-1, 1): half exact zeros. The zero spike must not pass for a
  // distribution worth clipping the rest for.
  const CalibrationStats relu = StatsOf(QuantileSample([](double u) { return std::max(0.0, -1 + 2 * u); }));
  for (auto e : {RangeEstimator::kEntropy, RangeEstimator::kMse}) {
    SCOPED_TRACE(RangeEstimatorName(e));
    const TensorRange r2 = RangeOf(two_sided, With(e));
    EXPECT_GT(r2.max, 0.95f);
    EXPECT_LT(r2.min, -0.95f);
    const TensorRange r1 = RangeOf(one_sided, With(e));
    EXPECT_GT(r1.max, 0.95f);
    EXPECT_EQ(r1.min, 0.0f);
    const TensorRange rr = RangeOf(relu, With(e));
    EXPECT_GT(rr.max, 0.9f);
    EXPECT_EQ(rr.min, 0.0f);
  }
}

TEST(CalibrationEstimators, OneSidedClipsOnlyTheMax) {
  // Post-Relu-like: half exact zeros, half Laplace magnitudes, one outlier.
  std::vector<float> v = QuantileSample(LaplaceInverseCdf, 2 * kLargeSample);
  for (float& x : v) x = std::max(x, 0.0f);
  v.push_back(500.0f);
  const CalibrationStats s = StatsOf(v, 65536);
  for (auto e : {RangeEstimator::kEntropy, RangeEstimator::kMse}) {
    SCOPED_TRACE(RangeEstimatorName(e));
    const TensorRange r = RangeOf(s, With(e));
    EXPECT_EQ(r.min, 0.0f);
    EXPECT_LT(r.max, 500.0f / 2);
    EXPECT_GT(r.max, 3.0f);
  }
}

TEST(CalibrationEstimators, EntropyIsNotFooledByTheZeroSpikeOfRelu) {
  // Relu(Laplace): half exact zeros. Unless the zero bin is neutralized, its
  // spike smeared over a level dominates KL and the search stops at its
  // first candidate (256 bins = 2.0 here); the tail itself supports ~10.
  const CalibrationStats s =
      StatsOf(QuantileSample([](double u) { return std::max(0.0, LaplaceInverseCdf(u)); }));
  const TensorRange r = RangeOf(s, With(RangeEstimator::kEntropy));
  EXPECT_EQ(r.min, 0.0f);
  EXPECT_GT(r.max, 6.0f);
  EXPECT_LT(r.max, s.Find("t")->max);
}

TEST(CalibrationEstimators, EveryRangeIsFiniteOrderedAndHoldsZero) {
  CalibrationStats s;
  const std::vector<float> positive = {2.0f, 5.0f, 3.0f}, negative = {-7.0f, -1.5f}, zeros = {0.0f, 0.0f},
                           one = {42.0f}, wide = {-3e38f, 3e38f, 1.0f};
  s.Observe("positive", positive);
  s.Observe("negative", negative);
  s.Observe("zeros", zeros);
  s.Observe("one", one);
  s.Observe("wide", wide);
  for (auto e : {RangeEstimator::kMinMax, RangeEstimator::kMovingAverageMinMax, RangeEstimator::kPercentile,
                 RangeEstimator::kEntropy, RangeEstimator::kMse}) {
    SCOPED_TRACE(RangeEstimatorName(e));
    auto ranges = ComputeRanges(s, With(e));
    ASSERT_TRUE(ranges.ok()) << ranges.status().ToString();
    ASSERT_EQ(ranges->size(), 5u);
    for (const auto& [name, r] : *ranges) {
      SCOPED_TRACE(name);
      EXPECT_TRUE(std::isfinite(r.min) && std::isfinite(r.max));
      EXPECT_LE(r.min, 0.0f);
      EXPECT_GE(r.max, 0.0f);
    }
    EXPECT_EQ(ranges->at("positive").min, 0.0f);  // extended to 0
    EXPECT_EQ(ranges->at("negative").max, 0.0f);
    EXPECT_EQ(ranges->at("zeros"), (TensorRange{0.0f, 0.0f}));
    EXPECT_EQ(ranges->at("one"), (TensorRange{0.0f, 42.0f}));
  }
}

TEST(CalibrationEstimators, BadOptionsAreRejected) {
  const CalibrationStats s = StatsOf({1.0f, 2.0f});
  EstimatorOptions o = With(RangeEstimator::kPercentile);
  o.percentile = 101;
  EXPECT_EQ(ComputeRanges(s, o).status().code(), StatusCode::kInvalidArgument);
  o.percentile = std::nan("");
  EXPECT_EQ(ComputeRanges(s, o).status().code(), StatusCode::kInvalidArgument);
  o = With(RangeEstimator::kMovingAverageMinMax);
  o.momentum = 0;
  EXPECT_EQ(ComputeRanges(s, o).status().code(), StatusCode::kInvalidArgument);
  o = With(RangeEstimator::kEntropy);
  o.num_quant_levels = 1;
  EXPECT_EQ(ComputeRanges(s, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qforge::quant
