// NORMATIVE scalar quantization arithmetic (docs: /work/shared/QUANT_SPEC.md
// sections 1 and 3). Every integer kernel and every optimized path is checked
// against these functions; an optimized kernel that disagrees is wrong.
//
// Each helper states its rounding, saturation and overflow behaviour. None
// has undefined behaviour for any argument value (out-of-range values that
// can only come from a programmer bug are QF_CHECKed; values that can come
// from a model file or user data return a Status).
#pragma once

#include <cstdint>
#include <span>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::quant {

// ---------------------------------------------------------------------------
// Rounding of reals to integers.

enum class RoundingRule : uint8_t {
  kHalfAwayFromZero,  // TFLite, QUANT_SPEC 1: 2.5 -> 3, -2.5 -> -3
  kHalfToEven,        // ONNX QuantizeLinear / ONNX Runtime: 2.5 -> 2, -2.5 -> -2, 3.5 -> 4
};

// Rounds `x` to an integral double with `rule`; exact (no double rounding),
// independent of the floating-point environment. NaN and infinities are
// returned unchanged.
double RoundToIntegral(double x, RoundingRule rule);

// ---------------------------------------------------------------------------
// Integer ranges of quantized types.

struct QuantLimits {
  int32_t qmin = 0;
  int32_t qmax = 0;
};

// [qmin, qmax] of int8 [-128, 127], uint8 [0, 255], int16 [-32768, 32767].
// narrow_range drops the lowest value (int8 [-127, 127], uint8 [1, 255],
// int16 [-32767, 32767]) so that a symmetric range is representable.
// Unsupported for any other dtype.
Result<QuantLimits> LimitsOf(DataType dtype, bool narrow_range = false);

// ---------------------------------------------------------------------------
// Choosing (scale, zero point) from an observed real range (QUANT_SPEC 1).

struct AffineParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Chooses parameters that represent [min_value, max_value] with q in
// [qmin, qmax]:
// - the range is first extended to contain 0 (a = min(a, 0), b = max(b, 0));
// - a == b == 0: scale 1 and zero point 0 (or the midpoint of the range when
//   symmetric with an unsigned range, or qmin when 0 is outside [qmin, qmax]);
// - asymmetric: scale = (b - a) / (qmax - qmin) computed in double, then
//   rounded to float; zero point = round_half_away(qmin - a / scale), using
//   the float scale, clamped to [qmin, qmax] ("nudging");
// - symmetric: m = max(|a|, |b|). If qmin < 0 (signed), zero point 0 and
//   scale = m / min(qmax, -qmin), so int8 [-128, 127] and [-127, 127] both give
//   m / 127. If qmin >= 0 (unsigned), the zero point is the midpoint
//   Z = (qmin + qmax + 1) / 2 and scale = m / (qmax - Z) (uint8: Z = 128,
//   m / 127).
// A scale that would underflow below the smallest normal float is raised to
// it (a range that narrow carries no information anyway).
// InvalidArgument for NaN bounds, min > max, infinite bounds, or qmin >= qmax.
Result<AffineParams> ChooseQuantParams(float min_value, float max_value, int32_t qmin, int32_t qmax,
                                       bool symmetric);

// Per-axis variant: one (scale, zero point) per channel from mins[i], maxs[i]
// (equal sizes), returned as QuantParams with `axis`.
Result<QuantParams> ChooseQuantParamsPerAxis(std::span<const float> mins, std::span<const float> maxs,
                                             int32_t qmin, int32_t qmax, bool symmetric, int axis);

// ---------------------------------------------------------------------------
// ONNX DynamicQuantizeLinear (uint8 output, every step in float32, as ONNX
// Runtime): the reference kernel, the hybrid kernels and ref's hybrid Conv /
// MatMul all take their parameters from here.

struct RealRange {
  float lo = 0.0f;
  float hi = 0.0f;
};

// lo = min(0, min x), hi = max(0, max x) over the non-NaN elements of x,
// folded from {+0, +0} with std::min / std::max (which keep the first of two
// equal values, so a zero bound is always +0). Ranges of parts of x combine
// with std::min / std::max, from {+0, +0} and in any order, to the same bits.
// Empty x: {0, 0}.
RealRange DynamicQuantizeRange(std::span<const float> x);

// (scale, zero point) for the range [lo, hi], lo <= 0 <= hi as
// DynamicQuantizeRange gives it:
// - scale = (hi - lo) / 255, the difference and the quotient each rounded to
//   float32; 1 when hi == lo (an all-zero input, as ONNX Runtime: nothing
//   divides by zero);
// - zero_point = clamp(round_half_even((0 - lo) / scale), 0, 255), the
//   division in float32, the rounding exact.
// IEEE float32 throughout, no error: an infinite bound, or hi - lo beyond the
// largest float, makes the scale +inf, and then (0 - lo) / scale is 0 (finite
// lo) or NaN (lo = -inf), which gives zero point 0. A range narrower than
// 127.5 * 2^-149 makes the scale 0 (underflow): the zero point is then 255
// for lo < 0 ((0 - lo) / 0 = +inf) and 0 for lo = 0 (0 / 0 is NaN).
AffineParams DynamicQuantizeParams(float lo, float hi);

// ---------------------------------------------------------------------------
// Quantize / dequantize one value.

// q = clamp(round(r / scale) + zero_point, qmin, qmax). The division is done
// in float32 (as ONNX and ONNX Runtime do), the rest in double, so the sum
// never overflows. Saturates: +inf -> qmax, -inf -> qmin. NaN (including
// 0 / 0 when scale == 0) -> zero_point clamped to the range.
int32_t QuantizeValue(float r, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                      RoundingRule rule);

// r = scale * (q - zero_point); the difference is exact (int64), the product
// is one float32 multiply (so the result is ONNX's (q - Z) * S bit for bit).
float DequantizeValue(int64_t q, float scale, int64_t zero_point);

// ---------------------------------------------------------------------------
// Fixed-point requantization (QUANT_SPEC 3, the gemmlowp/TFLite scheme).

// real = multiplier / 2^31 * 2^shift with multiplier in [2^30, 2^31).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;  // > 0: left shift of the accumulator, < 0: rounding right shift
};

// Represents `real` as a Q31 multiplier and a power-of-two exponent.
// - real == 0, and 0 < real < 2^-32 (exponent below -31, which no rounding
//   right shift can express): multiplier 0, shift 0, so the product is 0.
//   Reals in [2^-32, 2^-31) keep shift -31.
// - The mantissa is rounded half away from zero to 31 bits; a mantissa that
//   rounds up to 2^31 is halved and the shift incremented.
// - Multipliers > 1 get a positive shift (at most 31: real < 2^31).
// InvalidArgument for negative, NaN or infinite reals and for real >= 2^31.
Result<QuantizedMultiplier> QuantizeMultiplier(double real);

// The high 32 bits of 2 * a * b, rounded to nearest: computes
// (a * b + nudge) / 2^31 in int64 with C++'s truncating division, nudge
// = 2^30 for a * b >= 0 and 1 - 2^30 otherwise. Ties therefore round toward
// +infinity (0.5 -> 1, -0.5 -> 0, -1.5 -> -1), exactly as gemmlowp and TFLite.
// Saturates the single overflowing case a == b == INT32_MIN to INT32_MAX.
int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b);

// x / 2^exponent rounded to nearest, ties away from zero (5 / 2 -> 3,
// -5 / 2 -> -3, -1 / 2 -> -1), using an arithmetic right shift and a
// remainder threshold, so it never overflows. exponent in [0, 31]
// (QF_CHECKed: callers derive it from QuantizeMultiplier).
int32_t RoundingDivideByPOT(int32_t x, int exponent);

// x * 2^shift saturated to int32 for shift in [0, 31]; RoundingDivideByPOT(x,
// -shift) for shift in [-31, 0). QF_CHECKs the range.
int32_t RoundingShift(int32_t x, int shift);

// acc * real for real = QuantizedMultiplier: a positive shift saturating-
// left-shifts acc before the multiply (TFLite's wraps instead; they agree
// whenever acc * 2^shift fits int32), then SaturatingRoundingDoublingHighMul,
// then RoundingDivideByPOT by -shift when shift < 0.
int32_t MultiplyByQuantizedMultiplier(int32_t acc, int32_t multiplier, int shift);

// The float-based requantization of ONNX Runtime's QLinear kernels (scheme
// "fp32"): q = clamp(round_half_even(float(acc) * multiplier) + zero_point,
// qmin, qmax), the product in float32. `acc` converts to float with round to
// nearest even (inexact beyond 2^24, as in ONNX Runtime). NaN -> zero_point.
int32_t RequantizeFloat(int64_t acc, float multiplier, int32_t zero_point, int32_t qmin, int32_t qmax);

}  // namespace qforge::quant
