// The AVX2 GEMM of QConv (kS16 layout, qconv_internal.h). vpmaddubsw (u8 x
// s8) saturates int16 for two products of 255 * 127, so A is widened to
// int16 (x - Zx) at packing and multiplied with vpmaddwd, which is exact.
// Register tiles of 4 rows x 2 eight-channel panels; requantization in
// registers, bit-exact with quant/arithmetic.h.

// GCC 12 warns about the _mm*_undefined_* placeholders inside its own
// intrinsics at -O3 (GCC bug 105593); the warning says nothing about this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>
#include <type_traits>

#include "runtime/kernels/x86/qconv_internal.h"

namespace qforge::kernels::x86 {

namespace {

struct Epilogue {
  __m256i multiplier, left, right, mask, threshold;
  __m256 real;
};

// MultiplyByQuantizedMultiplier for 8 lanes (multiplier >= 0), in the
// reference's two steps. SaturatingRoundingDoublingHighMul(a, m) is
// trunc((a*m + nudge) / 2^31) with nudge 2^30 or 1 - 2^30 by sign, which
// equals floor((a*m + 2^30) / 2^31) for both signs: bits 31..62 of the 64-bit
// sum, from the even and the odd lanes. RoundingDivideByPOT: arithmetic
// shift, plus one when the remainder exceeds (mask >> 1) + (x < 0).
inline __m256i FixedPoint(__m256i acc, const Epilogue& e, bool left_shift) {
  if (left_shift) {
    const __m256i shifted = _mm256_sllv_epi32(acc, e.left);
    const __m256i fits = _mm256_cmpeq_epi32(_mm256_srav_epi32(shifted, e.left), acc);
    const __m256i saturated = _mm256_xor_si256(_mm256_srai_epi32(acc, 31), _mm256_set1_epi32(0x7fffffff));
    acc = _mm256_blendv_epi8(saturated, shifted, fits);
  }
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(acc, e.multiplier), nudge);
  const __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(e.multiplier, 32)), nudge);
  const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i quotient = _mm256_srav_epi32(high, e.right);
  const __m256i remainder = _mm256_and_si256(high, e.mask);
  const __m256i threshold = _mm256_sub_epi32(e.threshold, _mm256_srai_epi32(high, 31));
  // cmpgt gives -1 where the quotient rounds up.
  return _mm256_sub_epi32(quotient, _mm256_cmpgt_epi32(remainder, threshold));
}

inline __m256i FloatRule(__m256i acc, const Epilogue& e) {
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), e.real);
  v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-1073741824.0f)), _mm256_set1_ps(1073741824.0f));
  v = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  return _mm256_cvttps_epi32(v);
}

inline void Store8(int8_t* dst, __m256i q, int count) {
  const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  const __m128i p8 = _mm_packs_epi16(p16, p16);
  if (count == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), p8);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), p8);
    std::memcpy(dst, tmp, static_cast<size_t>(count));
  }
}

// OutT int8_t: requantized int8 output; int32_t: the raw accumulators
// (QConv::RunInt32). `bias` initializes the accumulators (n_padded entries).
template <int MR, int NJ, typename OutT>
void Tile(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows, int n0,
          int n_end, OutT* y, size_t ldy) {
  const size_t kp = static_cast<size_t>(p.k_padded);
  const int16_t* w = static_cast<const int16_t*>(p.weights.get()) + static_cast<size_t>(n0 / 8) * kp * 8;
  const size_t panel = kp * 8;
  __m256i acc[MR][NJ];
#pragma GCC unroll 4
  for (int j = 0; j < NJ; ++j) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + n0 + 8 * j));
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) acc[i][j] = b;
  }
  for (size_t k = 0; k < kp; k += 2) {
    __m256i wv[NJ];
#pragma GCC unroll 4
    for (int j = 0; j < NJ; ++j) {
      wv[j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + j * panel + k * 8));
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      int32_t pair;
      std::memcpy(&pair, a + i * lda + k, 4);
      const __m256i av = _mm256_set1_epi32(pair);
#pragma GCC unroll 4
      for (int j = 0; j < NJ; ++j) acc[i][j] = _mm256_add_epi32(acc[i][j], _mm256_madd_epi16(av, wv[j]));
    }
  }
  if constexpr (std::is_same_v<OutT, int32_t>) {
#pragma GCC unroll 4
    for (int j = 0; j < NJ; ++j) {
      const int c0 = n0 + 8 * j;
      const int count = n_end - c0 < 8 ? n_end - c0 : 8;
      if (count <= 0) break;
#pragma GCC unroll 8
      for (int i = 0; i < MR; ++i) {
        if (i >= rows) break;
        if (count == 8) {
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i * ldy + c0), acc[i][j]);
        } else {
          alignas(32) int32_t tmp[8];
          _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), acc[i][j]);
          std::memcpy(y + i * ldy + c0, tmp, static_cast<size_t>(count) * sizeof(int32_t));
        }
      }
    }
    return;
  } else {
    const __m256i zy = _mm256_set1_epi32(p.output_zero_point);
    const __m256i lo = _mm256_set1_epi32(p.output_min);
    const __m256i hi = _mm256_set1_epi32(p.output_max);
    const bool fixed = p.rule == ir::Requantization::kFixedPoint;
    // Read once: the int8 stores below may alias any byte, p included.
    const bool left_shift = p.any_left_shift;
#pragma GCC unroll 4
    for (int j = 0; j < NJ; ++j) {
      const int c0 = n0 + 8 * j;
      const int count = n_end - c0 < 8 ? n_end - c0 : 8;
      if (count <= 0) break;
      Epilogue e;
      if (fixed) {
        e.multiplier = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.multiplier.data() + c0));
        e.left = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.left_shift.data() + c0));
        e.right = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.right_shift.data() + c0));
        e.mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.right_mask.data() + c0));
        e.threshold = _mm256_srai_epi32(e.mask, 1);
      } else {
        e.real = _mm256_loadu_ps(p.real.data() + c0);
      }
#pragma GCC unroll 8
      for (int i = 0; i < MR; ++i) {
        if (i >= rows) break;
        __m256i q = fixed ? FixedPoint(acc[i][j], e, left_shift) : FloatRule(acc[i][j], e);
        q = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(q, zy), lo), hi);
        Store8(y + i * ldy + c0, q, count);
      }
    }
  }
}

// Full MR-row tiles, then the remaining rows with the smallest tile that
// covers them (a fully connected layer with one row would otherwise compute
// MR rows to store one).
template <int MR, int NJ, typename OutT>
void Rows(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows, int n0,
          int n_end, OutT* y, size_t ldy) {
  int r = 0;
  for (; r + MR <= rows; r += MR)
    Tile<MR, NJ, OutT>(p, bias, a + r * lda, lda, MR, n0, n_end, y + r * ldy, ldy);
  const int left = rows - r;
  a += r * lda;
  y += r * ldy;
  if (left == 0) return;
  if (left == 1) {
    Tile<1, NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else if (left <= 2) {
    Tile<2, NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else if (MR > 4 && left <= 4) {
    Tile<(MR > 4 ? 4 : MR), NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else if (MR > 8 && left <= 8) {
    Tile<(MR > 8 ? 8 : MR), NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else {
    Tile<MR, NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  }
}

template <typename OutT>
void Gemm(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows, int n_begin,
          int n_end, OutT* y, size_t ldy) {
  for (int n0 = n_begin; n0 < n_end; n0 += 16) {
    if (n_end - n0 > 8) {
      Rows<4, 2>(p, bias, a, lda, rows, n0, n_end, y, ldy);
    } else {
      Rows<4, 1>(p, bias, a, lda, rows, n0, n_end, y, ldy);
    }
  }
}

}  // namespace

void GemmS16Avx2(const QConvPacked& p, const int16_t* a, size_t lda, int rows, int n_begin, int n_end,
                 int8_t* y, size_t ldy) {
  Gemm(p, p.bias.data(), a, lda, rows, n_begin, n_end, y, ldy);
}

void GemmS16Avx2I32(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows,
                    int n_begin, int n_end, int32_t* y, size_t ldy) {
  Gemm(p, bias, a, lda, rows, n_begin, n_end, y, ldy);
}

}  // namespace qforge::kernels::x86
