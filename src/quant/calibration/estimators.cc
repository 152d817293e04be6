// Range estimators: from recorded statistics to one [min, max] per tensor.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "quant/calibration/calibration.h"

namespace qforge::quant {

namespace {

// Entropy and MSE run on at most this many bins: the search is quadratic in
// it, and TensorRT's 2048 bins are enough resolution for an 8-bit range.
constexpr int64_t kMaxSearchBins = 2048;
// TensorRT / MXNet smoothing of empty bins before KL(P || Q), in counts.
constexpr double kSmoothingEps = 1e-4;

// Counts of |x| (or of x when every value is >= 0) on bins [i*w, (i+1)*w),
// i >= 0. Exact on the histogram's grid because 0 is a bin edge there: bin
// k < 0, [k*w, (k+1)*w), holds |x| in ((-k-1)*w, -k*w], i.e. bin -k-1.
struct MagnitudeHistogram {
  double width = 0;
  std::vector<double> counts;  // trimmed after the last nonzero bin
};

MagnitudeHistogram FoldMagnitudes(const Histogram& h) {
  int64_t top = -1;
  const auto& c = h.counts();
  auto magnitude_bin = [&](size_t i) {
    const int64_t k = h.first_bin() + static_cast<int64_t>(i);
    return k >= 0 ? k : -k - 1;
  };
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] != 0) top = std::max(top, magnitude_bin(i));
  }
  MagnitudeHistogram m;
  int shift = 0;  // merge 2^shift bins when the magnitudes span too many (min far above 0)
  while (top >= 0 && (top >> shift) >= kMaxSearchBins) ++shift;
  m.width = std::ldexp(h.bin_width(), shift);
  m.counts.assign(static_cast<size_t>(top < 0 ? 0 : (top >> shift) + 1), 0.0);
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] != 0) m.counts[static_cast<size_t>(magnitude_bin(i) >> shift)] += static_cast<double>(c[i]);
  }
  return m;
}

// MXNet's _smooth_distribution (the TensorRT recipe): empty bins get eps,
// taken proportionally from the others. False when it cannot (all empty).
bool Smooth(std::vector<double>& d) {
  size_t zeros = 0;
  for (double v : d) zeros += v == 0;
  const size_t nonzeros = d.size() - zeros;
  if (nonzeros == 0) return false;
  const double eps1 = kSmoothingEps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
  for (double& v : d) {
    v = v == 0 ? kSmoothingEps : v - eps1;
    if (v <= 0) return false;
  }
  return true;
}

// KL(P || Q) of two unnormalized positive distributions.
double KlDivergence(const std::vector<double>& p, const std::vector<double>& q) {
  double sp = 0, sq = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    sp += p[i];
    sq += q[i];
  }
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double pi = p[i] / sp, qi = q[i] / sq;
    kl += pi * std::log(pi / qi);
  }
  return kl;
}

// TensorRT's entropy calibration: for each candidate number i of kept bins,
// P = the first i bins with everything beyond folded into bin i-1; Q = those
// i bins (without the outliers) quantized to `levels` levels, each level's
// count spread evenly over its nonempty bins. The threshold is the right edge
// of the i minimizing KL(P || Q). Bins are assigned to level
// floor(j * levels / i) (groups differ in size by at most one) rather than
// TensorRT's equal groups plus a larger last one: same idea, less jitter.
//
// Bin 0 holds the exact zeros of Relu outputs and padding, which quantize
// exactly; left as is, that spike smeared over its level's bins dominates the
// divergence and drives every one-sided tensor to the smallest candidate.
// Like NVIDIA's pytorch-quantization (calib/histogram.py), the search sets
// bin 0 to bin 1's count.
double EntropyThreshold(const MagnitudeHistogram& m, int levels) {
  std::vector<double> h = m.counts;
  const int64_t n = static_cast<int64_t>(h.size());
  if (n <= levels) return static_cast<double>(n) * m.width;  // representable without clipping
  h[0] = h[1];
  std::vector<double> suffix(static_cast<size_t>(n) + 1, 0.0);
  for (int64_t j = n - 1; j >= 0; --j)
    suffix[static_cast<size_t>(j)] = suffix[static_cast<size_t>(j) + 1] + h[j];
  double best_kl = std::numeric_limits<double>::infinity();
  int64_t best_i = n;
  std::vector<double> p, q;
  for (int64_t i = levels; i <= n; ++i) {
    p.assign(h.begin(), h.begin() + i);
    p[static_cast<size_t>(i - 1)] += suffix[static_cast<size_t>(i)];
    q.assign(static_cast<size_t>(i), 0.0);
    for (int64_t l = 0; l < levels; ++l) {
      const int64_t start = (l * i + levels - 1) / levels, stop = ((l + 1) * i + levels - 1) / levels;
      double sum = 0;
      int64_t nonempty = 0;
      for (int64_t j = start; j < stop; ++j) {
        sum += h[static_cast<size_t>(j)];
        nonempty += p[static_cast<size_t>(j)] != 0;
      }
      if (nonempty == 0) continue;
      for (int64_t j = start; j < stop; ++j) {
        if (p[static_cast<size_t>(j)] != 0) q[static_cast<size_t>(j)] = sum / static_cast<double>(nonempty);
      }
    }
    if (!Smooth(p) || !Smooth(q)) continue;
    const double kl = KlDivergence(p, q);
    if (kl < best_kl) {
      best_kl = kl;
      best_i = i;
    }
  }
  return static_cast<double>(best_i) * m.width;
}

// The threshold t minimizing the expected squared error of quantizing to
// [0, t] with `steps` steps: uniform rounding noise (t / steps)^2 / 12 for
// each value inside, (x - t)^2 for each value beyond (at its bin's center).
// Candidates are the bin edges; ties go to the larger t (less clipping).
double MseThreshold(const MagnitudeHistogram& m, double steps) {
  const auto& h = m.counts;
  const size_t n = h.size();
  if (n == 0) return 0.0;
  std::vector<double> s0(n + 1, 0.0), s1(n + 1, 0.0), s2(n + 1, 0.0);
  for (size_t j = n; j-- > 0;) {
    const double c = (static_cast<double>(j) + 0.5) * m.width;
    s0[j] = s0[j + 1] + h[j];
    s1[j] = s1[j + 1] + h[j] * c;
    s2[j] = s2[j + 1] + h[j] * c * c;
  }
  double best_err = std::numeric_limits<double>::infinity();
  size_t best_i = n;
  for (size_t i = 1; i <= n; ++i) {
    const double t = static_cast<double>(i) * m.width;
    const double step = t / steps;
    const double inside = s0[0] - s0[i];
    const double clipped = std::max(0.0, s2[i] - 2 * t * s1[i] + t * t * s0[i]);
    const double err = inside * step * step / 12.0 + clipped;
    if (err <= best_err) {
      best_err = err;
      best_i = i;
    }
  }
  return static_cast<double>(best_i) * m.width;
}

// Value at quantile q in [0, 1] of the histogram, interpolated linearly
// inside the bin (whose edges are narrowed to the observed [min, max]).
double Quantile(const TensorStats& t, double q) {
  const Histogram& h = t.histogram;
  const auto& c = h.counts();
  const double target = q * static_cast<double>(h.total());
  double below = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] == 0) continue;
    const double count = static_cast<double>(c[i]);
    if (below + count >= target) {
      const double lower = std::max<double>(h.bin_lower(static_cast<int64_t>(i)), t.min);
      const double upper = std::min<double>(h.bin_lower(static_cast<int64_t>(i) + 1), t.max);
      const double frac = std::clamp((target - below) / count, 0.0, 1.0);
      return lower + frac * (upper - lower);
    }
    below += count;
  }
  return t.max;
}

double MovingAverage(const std::vector<float>& batches, double momentum, float fallback) {
  if (batches.empty()) return fallback;
  double ema = batches[0];
  for (size_t i = 1; i < batches.size(); ++i) ema += momentum * (batches[i] - ema);
  return ema;
}

// Entropy / MSE: one threshold on the magnitudes, applied per the sign rule
// documented in calibration.h.
void ClipByThreshold(const TensorStats& t, const EstimatorOptions& opt, double* lo, double* hi) {
  const MagnitudeHistogram m = FoldMagnitudes(t.histogram);
  const bool two_sided = t.min < 0 && t.max > 0;
  const int levels = opt.num_quant_levels;
  double th;
  if (opt.estimator == RangeEstimator::kEntropy) {
    th = EntropyThreshold(m, two_sided ? levels / 2 : levels);
  } else {
    th = MseThreshold(m, two_sided ? (levels - 1) / 2.0 : levels - 1.0);
  }
  if (two_sided) {
    *lo = std::max<double>(-th, t.min);
    *hi = std::min<double>(th, t.max);
  } else if (t.min >= 0) {
    *lo = t.min;
    *hi = std::clamp<double>(th, t.min, t.max);
  } else {  // all values <= 0: the magnitudes are those of -x
    *lo = -std::clamp<double>(th, -static_cast<double>(t.max), -static_cast<double>(t.min));
    *hi = t.max;
  }
}

Status CheckOptions(const EstimatorOptions& opt) {
  if (!(opt.percentile >= 50.0 && opt.percentile <= 100.0)) {
    return InvalidArgument("percentile must be in [50, 100], got " + std::to_string(opt.percentile));
  }
  if (!(opt.momentum > 0.0 && opt.momentum <= 1.0)) {
    return InvalidArgument("moving-average momentum must be in (0, 1], got " + std::to_string(opt.momentum));
  }
  if (opt.num_quant_levels < 4 || opt.num_quant_levels > (1 << 16)) {
    return InvalidArgument("number of quantization levels must be in [4, 65536], got " +
                           std::to_string(opt.num_quant_levels));
  }
  return Status::Ok();
}

}  // namespace

Result<RangeEstimator> ParseRangeEstimator(std::string_view name) {
  for (RangeEstimator e : {RangeEstimator::kMinMax, RangeEstimator::kMovingAverageMinMax,
                           RangeEstimator::kPercentile, RangeEstimator::kEntropy, RangeEstimator::kMse}) {
    if (name == RangeEstimatorName(e)) return e;
  }
  return InvalidArgument("unknown range estimator '" + std::string(name) +
                         "' (expected minmax, moving-avg, percentile, entropy or mse)");
}

const char* RangeEstimatorName(RangeEstimator e) {
  switch (e) {
    case RangeEstimator::kMinMax:
      return "minmax";
    case RangeEstimator::kMovingAverageMinMax:
      return "moving-avg";
    case RangeEstimator::kPercentile:
      return "percentile";
    case RangeEstimator::kEntropy:
      return "entropy";
    case RangeEstimator::kMse:
      return "mse";
  }
  return "unknown";
}

Result<std::map<std::string, TensorRange>> ComputeRanges(const CalibrationStats& stats,
                                                         const EstimatorOptions& options) {
  QF_RETURN_IF_ERROR(CheckOptions(options));
  std::map<std::string, TensorRange> ranges;
  for (const auto& [name, t] : stats.tensors()) {
    double lo = t.min, hi = t.max;
    switch (options.estimator) {
      case RangeEstimator::kMinMax:
        break;
      case RangeEstimator::kMovingAverageMinMax:
        lo = MovingAverage(t.batch_min, options.momentum, t.min);
        hi = MovingAverage(t.batch_max, options.momentum, t.max);
        break;
      case RangeEstimator::kPercentile: {
        const double p = options.percentile / 100.0;
        // The side at 0 stays exact (0 need not be extended to).
        if (t.min < 0) lo = Quantile(t, 1.0 - p);
        if (t.max > 0) hi = Quantile(t, p);
        break;
      }
      case RangeEstimator::kEntropy:
      case RangeEstimator::kMse:
        if (!t.histogram.empty()) ClipByThreshold(t, options, &lo, &hi);
        break;
    }
    // QUANT_SPEC 1: the range must represent 0 exactly.
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    TensorRange r{static_cast<float>(lo), static_cast<float>(hi)};
    if (!(std::isfinite(r.min) && std::isfinite(r.max) && r.min <= r.max)) {
      return Internal("tensor '" + name + "': " + RangeEstimatorName(options.estimator) +
                      " produced a non-finite or empty range");
    }
    ranges[name] = r;
  }
  return ranges;
}

}  // namespace qforge::quant
