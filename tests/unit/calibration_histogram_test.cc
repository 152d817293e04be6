// The calibration histogram: a fixed number of bins on a power-of-two grid
// that coarsens as the range grows, exact under merging.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/calibration/calibration.h"

namespace qforge::quant {
namespace {

// Feeds `values` in chunks of `chunk`, tracking the running range as the collector does.
Histogram Build(const std::vector<float>& values, size_t chunk) {
  Histogram h;
  float lo = values[0], hi = values[0];
  for (size_t first = 0; first < values.size(); first += chunk) {
    const size_t n = std::min(chunk, values.size() - first);
    std::span<const float> part(values.data() + first, n);
    lo = std::min(lo, *std::min_element(part.begin(), part.end()));
    hi = std::max(hi, *std::max_element(part.begin(), part.end()));
    h.Add(part, lo, hi);
  }
  return h;
}

TEST(CalibrationHistogram, RebinningKeepsTheTotalCount) {
  Histogram h;
  std::vector<float> small = {0.001f, 0.002f, -0.003f};
  h.Add(small, -0.003f, 0.002f);
  const int fine = h.exponent();
  EXPECT_EQ(h.total(), 3u);
  // A range 10^6 times wider forces many merges of the first bins.
  std::vector<float> wide = {1000.0f, -2000.0f, 5.0f, 0.0f};
  h.Add(wide, -2000.0f, 1000.0f);
  EXPECT_GT(h.exponent(), fine);
  EXPECT_EQ(h.total(), 7u);
  EXPECT_EQ(h.counts().size(), static_cast<size_t>(Histogram::kNumBins));
  // The grid covers the range and every value sits in the bin holding it.
  EXPECT_LE(h.bin_lower(0), -2000.0);
  EXPECT_GT(h.bin_lower(Histogram::kNumBins), 1000.0);
  // The three small values straddle 0, which is a bin edge: two land in the
  // bin starting at 0, one in the bin just below it.
  const int64_t zero_bin = -h.first_bin();
  EXPECT_EQ(h.bin_lower(zero_bin), 0.0);
  EXPECT_EQ(h.counts()[static_cast<size_t>(zero_bin)], 3u);      // 0.001, 0.002, 0.0 and ...
  EXPECT_EQ(h.counts()[static_cast<size_t>(zero_bin - 1)], 1u);  // ... -0.003
}

TEST(CalibrationHistogram, RangeFillsAtLeastHalfTheBins) {
  std::vector<float> v;
  for (int i = 0; i <= 1000; ++i) v.push_back(-3.0f + 10.0f * static_cast<float>(i) / 1000.0f);
  const Histogram h = Build(v, 1001);
  const double used = (7.0 - -3.0) / h.bin_width();
  EXPECT_GT(used, Histogram::kNumBins / 2.0);
  EXPECT_LE(used, Histogram::kNumBins);
}

TEST(CalibrationHistogram, IndependentOfBatchSizeAndOrder) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.5f, 2.0f);
  std::vector<float> v(20000);
  for (float& x : v) x = normal(rng);
  v[12345] = 40.0f;  // a late outlier forces a regrid halfway through
  const Histogram whole = Build(v, v.size());
  EXPECT_EQ(Build(v, 1), whole);
  EXPECT_EQ(Build(v, 7), whole);
  std::vector<float> reversed(v.rbegin(), v.rend());
  EXPECT_EQ(Build(reversed, 64), whole);
  EXPECT_EQ(whole.total(), v.size());
}

TEST(CalibrationHistogram, ConstantTensorsKeepOneBin) {
  std::vector<float> zeros(100, 0.0f);
  const Histogram h = Build(zeros, 10);
  EXPECT_EQ(h.total(), 100u);
  EXPECT_EQ(*std::max_element(h.counts().begin(), h.counts().end()), 100u);
}

TEST(CalibrationHistogram, FromPartsValidates) {
  std::vector<uint64_t> counts(Histogram::kNumBins, 0);
  counts[3] = 5;
  // Bins are [k/4, (k+1)/4); counts[3] is grid bin 3: [0.75, 1).
  EXPECT_TRUE(Histogram::FromParts(-2, 0, counts, 0.8f, 0.9f).ok());
  EXPECT_FALSE(Histogram::FromParts(-2, 0, std::vector<uint64_t>(10, 0), 0.8f, 0.9f).ok());  // bin count
  EXPECT_FALSE(Histogram::FromParts(-2, 0, counts, 0.8f, 1000.0f).ok());  // grid does not cover max
  EXPECT_FALSE(Histogram::FromParts(-2, 0, counts, 0.1f, 0.2f).ok());     // a count outside [min, max]
  EXPECT_FALSE(Histogram::FromParts(10000, 0, counts, 0.8f, 0.9f).ok());  // exponent
}

}  // namespace
}  // namespace qforge::quant
