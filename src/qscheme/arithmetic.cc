#include "qscheme/arithmetic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/check.h"

namespace qforge::quant {

namespace {
constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

// Clamps a double that may be NaN or infinite into [lo, hi]; NaN -> nan_value.
int32_t ClampToInt(double v, int32_t lo, int32_t hi, int32_t nan_value) {
  if (std::isnan(v)) return std::clamp(nan_value, lo, hi);
  if (v <= lo) return lo;
  if (v >= hi) return hi;
  return static_cast<int32_t>(v);
}
}  // namespace

double RoundToIntegral(double x, RoundingRule rule) {
  if (!std::isfinite(x)) return x;
  if (rule == RoundingRule::kHalfAwayFromZero) return std::round(x);
  // floor and the difference are exact for doubles, so the tie test is exact.
  const double f = std::floor(x);
  const double diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1.0;
  return std::fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

Result<QuantLimits> LimitsOf(DataType dtype, bool narrow_range) {
  const int32_t narrow = narrow_range ? 1 : 0;
  switch (dtype) {
    case DataType::kInt8:
      return QuantLimits{-128 + narrow, 127};
    case DataType::kUInt8:
      return QuantLimits{0 + narrow, 255};
    case DataType::kInt16:
      return QuantLimits{-32768 + narrow, 32767};
    default:
      break;
  }
  return Unsupported(std::string("no quantized integer range for dtype ") + DataTypeName(dtype));
}

Result<AffineParams> ChooseQuantParams(float min_value, float max_value, int32_t qmin, int32_t qmax,
                                       bool symmetric) {
  if (std::isnan(min_value) || std::isnan(max_value) || std::isinf(min_value) || std::isinf(max_value)) {
    return InvalidArgument("cannot choose quantization parameters for a non-finite range [" +
                           std::to_string(min_value) + ", " + std::to_string(max_value) + "]");
  }
  if (min_value > max_value) {
    return InvalidArgument("quantization range minimum " + std::to_string(min_value) + " exceeds maximum " +
                           std::to_string(max_value));
  }
  if (qmin >= qmax) {
    return InvalidArgument("empty integer range [" + std::to_string(qmin) + ", " + std::to_string(qmax) +
                           "]");
  }
  const double a = std::min<double>(min_value, 0.0);
  const double b = std::max<double>(max_value, 0.0);
  const bool unsigned_symmetric = symmetric && qmin >= 0;
  // Midpoint rounded up: uint8 [0, 255] -> 128, so that [1, 255] is symmetric around it.
  const int32_t midpoint = static_cast<int32_t>((static_cast<int64_t>(qmin) + qmax + 1) / 2);
  AffineParams p;
  if (a == 0.0 && b == 0.0) {
    p.scale = 1.0f;
    p.zero_point = unsigned_symmetric ? midpoint : std::clamp<int32_t>(0, qmin, qmax);
    return p;
  }
  const double kMinScale = std::numeric_limits<float>::min();
  if (symmetric) {
    const double m = std::max(-a, b);
    int32_t zero_point = 0;
    double half_steps = std::min<double>(qmax, -static_cast<double>(qmin));
    if (unsigned_symmetric) {
      zero_point = midpoint;
      half_steps = static_cast<double>(qmax) - midpoint;
    }
    p.scale = static_cast<float>(std::max(m / half_steps, kMinScale));
    p.zero_point = zero_point;
    return p;
  }
  p.scale = static_cast<float>(std::max((b - a) / (static_cast<double>(qmax) - qmin), kMinScale));
  const double z = RoundToIntegral(qmin - a / static_cast<double>(p.scale), RoundingRule::kHalfAwayFromZero);
  p.zero_point = ClampToInt(z, qmin, qmax, qmin);
  return p;
}

Result<QuantParams> ChooseQuantParamsPerAxis(std::span<const float> mins, std::span<const float> maxs,
                                             int32_t qmin, int32_t qmax, bool symmetric, int axis) {
  if (mins.size() != maxs.size()) {
    return InvalidArgument("per-axis ranges: " + std::to_string(mins.size()) + " minima but " +
                           std::to_string(maxs.size()) + " maxima");
  }
  QuantParams q;
  q.axis = axis;
  for (size_t i = 0; i < mins.size(); ++i) {
    Result<AffineParams> p = ChooseQuantParams(mins[i], maxs[i], qmin, qmax, symmetric);
    if (!p.ok()) return p.status().WithContext("channel " + std::to_string(i) + ": ");
    q.scale.push_back(p->scale);
    q.zero_point.push_back(p->zero_point);
  }
  return q;
}

RealRange DynamicQuantizeRange(std::span<const float> x) {
  RealRange r;
  for (float v : x) {
    if (std::isnan(v)) continue;
    r.lo = std::min(r.lo, v);
    r.hi = std::max(r.hi, v);
  }
  return r;
}

AffineParams DynamicQuantizeParams(float lo, float hi) {
  constexpr int32_t kQmin = 0, kQmax = 255;
  AffineParams p;
  p.scale = hi == lo ? 1.0f : (hi - lo) / static_cast<float>(kQmax - kQmin);
  const float initial_zero_point = (static_cast<float>(kQmin) - lo) / p.scale;
  const double rounded = RoundToIntegral(initial_zero_point, RoundingRule::kHalfToEven);
  p.zero_point =
      std::isnan(rounded) ? kQmin : static_cast<int32_t>(std::clamp<double>(rounded, kQmin, kQmax));
  return p;
}

int32_t QuantizeValue(float r, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                      RoundingRule rule) {
  const float quotient = r / scale;
  const double v = RoundToIntegral(static_cast<double>(quotient), rule) + zero_point;
  return ClampToInt(v, qmin, qmax, zero_point);
}

float DequantizeValue(int64_t q, float scale, int64_t zero_point) {
  return static_cast<float>(q - zero_point) * scale;
}

Result<QuantizedMultiplier> QuantizeMultiplier(double real) {
  if (!std::isfinite(real) || real < 0.0) {
    return InvalidArgument("requantization multiplier " + std::to_string(real) +
                           " is not a finite value >= 0");
  }
  QuantizedMultiplier qm;
  if (real == 0.0) return qm;
  int exponent = 0;
  const double mantissa = std::frexp(real, &exponent);  // real = mantissa * 2^exponent, mantissa in [0.5, 1)
  int64_t q = std::llround(mantissa * static_cast<double>(int64_t{1} << 31));
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) return QuantizedMultiplier{};
  if (exponent > 31) {
    return InvalidArgument("requantization multiplier " + std::to_string(real) + " is too large (>= 2^31)");
  }
  qm.multiplier = static_cast<int32_t>(q);
  qm.shift = exponent;
  return qm;
}

int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min) return kInt32Max;
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  QF_CHECK(exponent >= 0 && exponent <= 31);
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t RoundingShift(int32_t x, int shift) {
  QF_CHECK(shift >= -31 && shift <= 31);
  if (shift < 0) return RoundingDivideByPOT(x, -shift);
  const int64_t shifted = static_cast<int64_t>(x) * (int64_t{1} << shift);
  return static_cast<int32_t>(std::clamp<int64_t>(shifted, kInt32Min, kInt32Max));
}

int32_t MultiplyByQuantizedMultiplier(int32_t acc, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(RoundingShift(acc, left), multiplier), right);
}

int32_t RequantizeFloat(int64_t acc, float multiplier, int32_t zero_point, int32_t qmin, int32_t qmax) {
  const float product = static_cast<float>(acc) * multiplier;
  const double v = RoundToIntegral(static_cast<double>(product), RoundingRule::kHalfToEven) + zero_point;
  return ClampToInt(v, qmin, qmax, zero_point);
}

}  // namespace qforge::quant
