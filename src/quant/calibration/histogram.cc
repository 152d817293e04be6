#include "quant/calibration/histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/check.h"

namespace qforge::quant {

namespace {

// floor(x / 2^e) as an integer; exact because scaling by a power of two is.
int64_t GridIndex(double x, int e) { return static_cast<int64_t>(std::floor(std::ldexp(x, -e))); }

// floor(k / 2^shift) for a grid index: the bin of the coarser grid holding bin k.
int64_t Coarsen(int64_t k, int shift) {
  if (shift >= 62) return k < 0 ? -1 : 0;
  return k >> shift;  // arithmetic shift: floor division (C++20)
}

}  // namespace

double Histogram::bin_width() const { return std::ldexp(1.0, exponent_); }

double Histogram::bin_lower(int64_t i) const {
  return std::ldexp(static_cast<double>(first_bin_ + i), exponent_);
}

uint64_t Histogram::total() const {
  uint64_t sum = 0;
  for (uint64_t c : counts_) sum += c;
  return sum;
}

int Histogram::FitExponent(double lo, double hi, int at_least) {
  const double magnitude = std::max(std::fabs(lo), std::fabs(hi));
  // Bins finer than float32 resolution at this magnitude would only spread
  // identical values apart; the floor also keeps indices below 2^26.
  int e = std::max(at_least, magnitude > 0 ? std::ilogb(magnitude) - 24 : kMinExponent);
  // A width below 2^(ilogb(hi - lo) - 10) cannot fit kNumBins = 2^11 bins.
  if (hi > lo) e = std::max(e, std::ilogb(hi - lo) - 11);
  e = std::max(e, kMinExponent);
  while (e < kMaxExponent && GridIndex(hi, e) - GridIndex(lo, e) >= kNumBins) ++e;
  return e;
}

void Histogram::Regrid(int exponent, int64_t first_bin) {
  std::vector<uint64_t> merged(kNumBins, 0);
  const int shift = exponent - exponent_;
  QF_CHECK(shift >= 0);
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const int64_t index = Coarsen(first_bin_ + static_cast<int64_t>(i), shift) - first_bin;
    QF_CHECK(index >= 0 && index < kNumBins);  // the new grid covers the old range
    merged[static_cast<size_t>(index)] += counts_[i];
  }
  counts_ = std::move(merged);
  exponent_ = exponent;
  first_bin_ = first_bin;
}

void Histogram::Add(std::span<const float> values, float lo, float hi) {
  QF_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi);
  if (counts_.empty()) {
    exponent_ = FitExponent(lo, hi, kMinExponent);
    first_bin_ = GridIndex(lo, exponent_);
    counts_.assign(kNumBins, 0);
  } else {
    // The origin is always the bin of the minimum, so that the same data
    // gives the same representation whatever the batch order.
    const int e = FitExponent(lo, hi, exponent_);
    const int64_t first = GridIndex(lo, e);
    if (e != exponent_ || first != first_bin_) Regrid(e, first);
  }
  for (float v : values) {
    int64_t index = GridIndex(v, exponent_) - first_bin_;
    // Values lie in [lo, hi], which the grid covers; the clamp only guards
    // against a caller passing a range that does not hold them.
    index = std::clamp<int64_t>(index, 0, kNumBins - 1);
    ++counts_[static_cast<size_t>(index)];
  }
}

Result<Histogram> Histogram::FromParts(int exponent, int64_t first_bin, std::vector<uint64_t> counts,
                                       float lo, float hi) {
  if (counts.size() != static_cast<size_t>(kNumBins)) {
    return InvalidArgument("histogram has " + std::to_string(counts.size()) + " bins, expected " +
                           std::to_string(kNumBins));
  }
  if (exponent < kMinExponent || exponent > kMaxExponent) {
    return InvalidArgument("histogram bin exponent " + std::to_string(exponent) + " is outside [" +
                           std::to_string(kMinExponent) + ", " + std::to_string(kMaxExponent) + "]");
  }
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo <= hi)) {
    return InvalidArgument("histogram range is not a finite [min, max]");
  }
  // Checked before converting to integers: a file may pair a tiny bin width with a huge range.
  constexpr double kMaxIndex = 0x1p50;
  if (std::fabs(std::ldexp(static_cast<double>(lo), -exponent)) > kMaxIndex ||
      std::fabs(std::ldexp(static_cast<double>(hi), -exponent)) > kMaxIndex) {
    return InvalidArgument("histogram bin width 2^" + std::to_string(exponent) +
                           " is too fine for [min, max]");
  }
  const int64_t k_lo = GridIndex(lo, exponent), k_hi = GridIndex(hi, exponent);
  if (first_bin < -(int64_t{1} << 40) || first_bin > (int64_t{1} << 40) || k_lo < first_bin ||
      k_hi >= first_bin + kNumBins) {
    return InvalidArgument("histogram grid (first bin " + std::to_string(first_bin) + ", width 2^" +
                           std::to_string(exponent) + ") does not cover [min, max]");
  }
  for (size_t i = 0; i < counts.size(); ++i) {
    const int64_t k = first_bin + static_cast<int64_t>(i);
    if (counts[i] != 0 && (k < k_lo || k > k_hi)) {
      return InvalidArgument("histogram bin " + std::to_string(i) + " has a count outside [min, max]");
    }
  }
  Histogram h;
  h.exponent_ = exponent;
  h.first_bin_ = first_bin;
  h.counts_ = std::move(counts);
  return h;
}

}  // namespace qforge::quant
