// AVX2 loops of the hybrid kernel (hybrid_kernel.h), bit-exact with the scalar
// code: the same comparisons (vminps/vmaxps pick the second operand on NaN and
// equal values, as the scalar ternaries do), the same IEEE division, rounding
// half to even with an explicit rounding mode, and the product and the sum of
// the epilogue rounded separately. This file is compiled with -mfma, so an
// empty asm statement keeps the compiler from contracting them into an FMA.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/opt/hybrid_kernel.h"

namespace qforge::kernels::opt::hybrid_avx2 {

namespace {

// Hides the value from the optimizer: no FMA contraction across it.
template <typename T>
inline T Barrier(T v) {
  __asm__("" : "+x"(v));
  return v;
}

int8_t QuantizeOne(float x, float scale, int32_t zero_point) {
  const float quotient = x / scale;
  if (std::isnan(quotient)) return static_cast<int8_t>(zero_point - 128);
  const float r = std::nearbyint(std::clamp(quotient, -1.0e7f, 1.0e7f)) + static_cast<float>(zero_point);
  const int32_t v = r <= 0.0f ? 0 : r >= 255.0f ? 255 : static_cast<int32_t>(r);
  return static_cast<int8_t>(v - 128);
}

}  // namespace

quant::RealRange Range(const float* x, int64_t count) {
  __m256 vlo = _mm256_setzero_ps(), vhi = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    vlo = _mm256_min_ps(v, vlo);  // v < lo ? v : lo (NaN: lo)
    vhi = _mm256_max_ps(v, vhi);  // v > hi ? v : hi (NaN: hi)
  }
  alignas(32) float l[8], h[8];
  _mm256_store_ps(l, vlo);
  _mm256_store_ps(h, vhi);
  // The tail's range, then the lanes': ranges combine in any order.
  quant::RealRange r = quant::DynamicQuantizeRange({x + i, static_cast<size_t>(count - i)});
  for (int j = 0; j < 8; ++j) {
    r.lo = std::min(r.lo, l[j]);
    r.hi = std::max(r.hi, h[j]);
  }
  return r;
}

void Quantize(const float* x, int64_t count, float scale, int32_t zero_point, int8_t* q) {
  const __m256 vs = _mm256_set1_ps(scale);
  const __m256 zf = _mm256_set1_ps(static_cast<float>(zero_point));
  const __m256 big = _mm256_set1_ps(1.0e7f), zero = _mm256_setzero_ps(), top = _mm256_set1_ps(255.0f);
  const __m256i offset = _mm256_set1_epi32(128);
  int64_t i = 0;
  for (; i + 32 <= count; i += 32) {
    __m256i part[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 quotient = _mm256_div_ps(_mm256_loadu_ps(x + i + 8 * j), vs);
      const __m256 nan = _mm256_cmp_ps(quotient, quotient, _CMP_UNORD_Q);
      __m256 v = _mm256_min_ps(_mm256_max_ps(quotient, _mm256_sub_ps(zero, big)), big);
      v = _mm256_add_ps(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), zf);
      v = _mm256_min_ps(_mm256_max_ps(v, zero), top);
      v = _mm256_blendv_ps(v, zf, nan);
      part[j] = _mm256_sub_epi32(_mm256_cvttps_epi32(v), offset);
    }
    // packs work within 128-bit lanes: reorder the 32-bit groups afterwards.
    const __m256i p16a = _mm256_packs_epi32(part[0], part[1]);
    const __m256i p16b = _mm256_packs_epi32(part[2], part[3]);
    const __m256i p8 = _mm256_packs_epi16(p16a, p16b);
    const __m256i ordered = _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), ordered);
  }
  for (; i < count; ++i) q[i] = QuantizeOne(x[i], scale, zero_point);
}

void Epilogue(float* y, int64_t rows, int64_t n, const float* scale, const float* bias,
              int64_t bias_row_stride, float act_min, float act_max) {
  const __m256 lo = _mm256_set1_ps(act_min), hi = _mm256_set1_ps(act_max);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * n;
    const float* b = bias != nullptr ? bias + r * bias_row_stride : nullptr;
    int64_t c = 0;
    for (; c + 8 <= n; c += 8) {
      const __m256 acc = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + c)));
      __m256 v = Barrier(_mm256_mul_ps(acc, _mm256_loadu_ps(scale + c)));
      if (b != nullptr) v = _mm256_add_ps(v, _mm256_loadu_ps(b + c));
      // v < min ? min : v, then v > max ? max : v (NaN stays).
      v = _mm256_min_ps(hi, _mm256_max_ps(lo, v));
      _mm256_storeu_ps(row + c, v);
    }
    for (; c < n; ++c) {
      int32_t acc;
      std::memcpy(&acc, row + c, sizeof acc);
      float v = Barrier(static_cast<float>(acc) * scale[c]);
      if (b != nullptr) v = v + b[c];
      if (v < act_min) v = act_min;
      if (v > act_max) v = act_max;
      row[c] = v;
    }
  }
}

}  // namespace qforge::kernels::opt::hybrid_avx2
