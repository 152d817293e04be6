#include <immintrin.h>

#include "kernels/x86/convert.h"

namespace qforge::kernels::x86 {

void QuantizeS8Avx2(const float* x, size_t n, float scale, int32_t zero_point, int8_t* q) {
  const __m256 vs = _mm256_set1_ps(scale);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(-128 - zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(127 - zero_point));
  const __m256i vz = _mm256_set1_epi32(zero_point);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + i), vs),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
    v = _mm256_andnot_ps(nan, v);  // NaN -> 0, i.e. q = Z
    const __m256i qi = _mm256_add_epi32(_mm256_cvtps_epi32(v), vz);
    // Values are already in [-128, 127]: the saturating packs only narrow.
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(qi), _mm256_extracti128_si256(qi, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q + i), _mm_packs_epi16(w, w));
  }
  QuantizeS8Portable(x + i, n - i, scale, zero_point, q + i);
}

void DequantizeS8Avx2(const int8_t* q, size_t n, float scale, int32_t zero_point, float* x) {
  const __m256 vs = _mm256_set1_ps(scale);
  const __m256i vz = _mm256_set1_epi32(zero_point);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + i)));
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(v, vz)), vs));
  }
  DequantizeS8Portable(q + i, n - i, scale, zero_point, x + i);
}

}  // namespace qforge::kernels::x86
