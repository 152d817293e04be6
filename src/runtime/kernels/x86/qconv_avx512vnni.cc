// The AVX-512 VNNI GEMM of QConv (kU8S8 layout, qconv_internal.h): register
// tiles of MR rows x NJ 16-channel panels accumulated with vpdpbusd, then
// requantized in registers (bit-exact with quant/arithmetic.h) and stored.
// GCC 12 warns about the _mm*_undefined_* placeholders inside its own
// intrinsics at -O3 (GCC bug 105593); the warning says nothing about this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "runtime/kernels/x86/qconv_internal.h"

namespace qforge::kernels::x86 {

namespace {

struct Epilogue {
  __m512i bias, multiplier, left, right, mask, threshold;
  __m512 real;
};

// MultiplyByQuantizedMultiplier for 16 lanes (multiplier >= 0).
// SaturatingRoundingDoublingHighMul(a, m) = trunc((a*m + nudge) / 2^31) with
// nudge 2^30 or 1 - 2^30 by sign, which equals floor((a*m + 2^30) / 2^31)
// for both signs: bits 31..62 of the 64-bit sum, taken from even and odd
// lanes separately. RoundingDivideByPOT: arithmetic shift, plus one when the
// remainder exceeds (mask >> 1) + (x < 0).
inline __m512i FixedPoint(__m512i acc, const Epilogue& e, bool left_shift) {
  if (left_shift) {
    const __m512i shifted = _mm512_sllv_epi32(acc, e.left);
    const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, e.left), acc);
    const __m512i saturated = _mm512_xor_si512(_mm512_srai_epi32(acc, 31), _mm512_set1_epi32(0x7fffffff));
    acc = _mm512_mask_mov_epi32(shifted, overflow, saturated);
  }
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(acc, e.multiplier), nudge);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(e.multiplier, 32)), nudge);
  const __m512i high =
      _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  const __m512i quotient = _mm512_srav_epi32(high, e.right);
  const __m512i remainder = _mm512_and_si512(high, e.mask);
  const __m512i threshold = e.threshold;
  const __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  return _mm512_mask_add_epi32(quotient, up, quotient, _mm512_set1_epi32(1));
}

// round_half_even(float(acc) * real) with embedded rounding (independent of
// MXCSR); products beyond +-2^30 are clamped first, which changes no int8
// result but keeps the conversion in range.
inline __m512i FloatRule(__m512i acc, const Epilogue& e) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), e.real);
  v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(-1073741824.0f)), _mm512_set1_ps(1073741824.0f));
  return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

template <int MR, int NJ>
void Tile(const QConvPacked& p, const uint8_t* a, size_t lda, int rows, int n0, int n_end, int8_t* y,
          size_t ldy) {
  const size_t kp = static_cast<size_t>(p.k_padded);
  const int8_t* w = static_cast<const int8_t*>(p.weights.get()) + static_cast<size_t>(n0 / 16) * kp * 16;
  const size_t panel = kp * 16;
  __m512i acc[MR][NJ];
#pragma GCC unroll 4
  for (int j = 0; j < NJ; ++j) {
    const __m512i b = _mm512_loadu_si512(p.bias.data() + n0 + 16 * j);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) acc[i][j] = b;
  }
  const size_t kq = kp / 4;
  for (size_t k = 0; k < kq; ++k) {
    __m512i wv[NJ];
#pragma GCC unroll 4
    for (int j = 0; j < NJ; ++j) wv[j] = _mm512_load_si512(w + j * panel + k * 64);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      int32_t quad;
      std::memcpy(&quad, a + i * lda + k * 4, 4);
      const __m512i av = _mm512_set1_epi32(quad);
#pragma GCC unroll 4
      for (int j = 0; j < NJ; ++j) acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], av, wv[j]);
    }
  }
  const __m512i zy = _mm512_set1_epi32(p.output_zero_point);
  const __m512i lo = _mm512_set1_epi32(p.output_min);
  const __m512i hi = _mm512_set1_epi32(p.output_max);
  const bool fixed = p.rule == ir::Requantization::kFixedPoint;
#pragma GCC unroll 4
  for (int j = 0; j < NJ; ++j) {
    const int c0 = n0 + 16 * j;
    const int count = n_end - c0 < 16 ? n_end - c0 : 16;
    if (count <= 0) break;
    const __mmask16 store = static_cast<__mmask16>((1u << count) - 1);
    Epilogue e;
    if (fixed) {
      e.multiplier = _mm512_loadu_si512(p.multiplier.data() + c0);
      e.left = _mm512_loadu_si512(p.left_shift.data() + c0);
      e.right = _mm512_loadu_si512(p.right_shift.data() + c0);
      e.mask = _mm512_loadu_si512(p.right_mask.data() + c0);
      e.threshold = _mm512_srai_epi32(e.mask, 1);
    } else {
      e.real = _mm512_loadu_ps(p.real.data() + c0);
    }
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      if (i >= rows) break;
      __m512i q = fixed ? FixedPoint(acc[i][j], e, p.any_left_shift) : FloatRule(acc[i][j], e);
      q = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(q, zy), lo), hi);
      _mm_mask_storeu_epi8(y + i * ldy + c0, store, _mm512_cvtepi32_epi8(q));
    }
  }
}

template <int MR, int NJ>
void Rows(const QConvPacked& p, const uint8_t* a, size_t lda, int rows, int n0, int n_end, int8_t* y,
          size_t ldy) {
  for (int r = 0; r < rows; r += MR) {
    Tile<MR, NJ>(p, a + r * lda, lda, rows - r, n0, n_end, y + r * ldy, ldy);
  }
}

}  // namespace

void GemmU8S8Avx512Vnni(const QConvPacked& p, const uint8_t* a, size_t lda, int rows, int n_begin, int n_end,
                        int8_t* y, size_t ldy) {
  for (int n0 = n_begin; n0 < n_end; n0 += 64) {
    const int panels = (n_end - n0 + 15) / 16;
    if (panels >= 4) {
      Rows<6, 4>(p, a, lda, rows, n0, n_end, y, ldy);
    } else if (panels == 3) {
      Rows<8, 3>(p, a, lda, rows, n0, n_end, y, ldy);
    } else if (panels == 2) {
      Rows<12, 2>(p, a, lda, rows, n0, n_end, y, ldy);
    } else {
      Rows<12, 1>(p, a, lda, rows, n0, n_end, y, ldy);
    }
  }
}

}  // namespace qforge::kernels::x86
