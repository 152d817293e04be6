// A bounded-memory histogram of everything a tensor took during calibration.
//
// The grid is canonical: bin k covers [k * 2^e, (k + 1) * 2^e) for integer k,
// so 0 is always a bin edge, and the exponent e is the smallest one that fits
// the running [min, max] into kNumBins bins (never finer than 2^-24 of the
// largest magnitude, float32's own resolution, nor than 2^kMinExponent).
// When new data widens the range, e grows and each old bin k merges into
// bin floor(k / 2^(e' - e)) of the coarser grid. Because grids at different
// exponents nest exactly, merging loses nothing that binning at the final
// grid would keep: the result equals binning all the data directly on the
// grid of the final range, so it does not depend on batch size or order
// (except, in theory, when every value seen before the range grew was one
// constant far from 0: that can leave e coarser than the final range needs).
// The approximation is resolution only: the range spans between kNumBins/2
// and kNumBins bins, so estimators see it at >= 1/1024 of its width.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "qforge/status.h"

namespace qforge::quant {

class Histogram {
 public:
  static constexpr int kNumBins = 2048;
  // Bounds the exponent so bin indices stay small integers (|k| < 2^26 with
  // the 2^-24 relative floor) and a saved file cannot ask for absurd grids.
  static constexpr int kMinExponent = -160;
  static constexpr int kMaxExponent = 160;

  Histogram() = default;

  // Adds finite `values`. [lo, hi] is the range of everything seen so far
  // including `values` (the caller tracks it anyway); the grid grows to it.
  void Add(std::span<const float> values, float lo, float hi);

  // Rebuilds a saved histogram; checks that the grid is canonical-compatible
  // (kNumBins counts, exponent in bounds) and covers [lo, hi]. The message
  // names what is wrong (the caller adds file and tensor).
  static Result<Histogram> FromParts(int exponent, int64_t first_bin, std::vector<uint64_t> counts, float lo,
                                     float hi);

  bool empty() const { return counts_.empty(); }
  int exponent() const { return exponent_; }
  double bin_width() const;
  // Grid index k of counts()[0].
  int64_t first_bin() const { return first_bin_; }
  // Lower edge of counts()[i].
  double bin_lower(int64_t i) const;
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t total() const;

  bool operator==(const Histogram&) const = default;

 private:
  // The exponent the range [lo, hi] needs (see the file comment), at least `at_least`.
  static int FitExponent(double lo, double hi, int at_least);
  void Regrid(int exponent, int64_t first_bin);

  int exponent_ = 0;
  int64_t first_bin_ = 0;
  std::vector<uint64_t> counts_;  // empty until the first Add, then kNumBins
};

}  // namespace qforge::quant
