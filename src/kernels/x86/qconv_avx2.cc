// The AVX2 GEMM of QConv (kS16 layout, qconv_internal.h). vpmaddubsw (u8 x
// s8) saturates int16 for two products of 255 * 127, so A is widened to
// int16 (x - Zx) at packing and multiplied with vpmaddwd, which is exact.
// Register tiles of 4 rows x 2 eight-channel panels; requantization in
// registers, bit-exact with qscheme/arithmetic.h.

// GCC 12 warns about the _mm*_undefined_* placeholders inside its own
// intrinsics at -O3 (GCC bug 105593); the warning says nothing about this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qconv_gemm.h"
#include "kernels/x86/qconv_internal.h"

namespace qforge::kernels::x86 {

namespace {

struct RequantRegs {
  __m256i multiplier, left, right, mask, threshold;
  __m256 real;
};

// MultiplyByQuantizedMultiplier for 8 lanes (multiplier >= 0), in the
// reference's two steps. SaturatingRoundingDoublingHighMul(a, m) is
// trunc((a*m + nudge) / 2^31) with nudge 2^30 or 1 - 2^30 by sign, which
// equals floor((a*m + 2^30) / 2^31) for both signs: bits 31..62 of the 64-bit
// sum, from the even and the odd lanes. RoundingDivideByPOT: arithmetic
// shift, plus one when the remainder exceeds (mask >> 1) + (x < 0).
inline __m256i FixedPoint(__m256i acc, const RequantRegs& e, bool left_shift) {
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

inline __m256i FloatRule(__m256i acc, const RequantRegs& e) {
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

// The AVX2 side of qconv_gemm.h: 8-channel panels of int16 pairs.
struct Avx2 {
  using AElem = int16_t;
  using WElem = int16_t;
  using Vec = __m256i;
  using Epilogue = RequantRegs;
  using Tail = int;  // channels to store
  static constexpr int kLanes = 8;
  static constexpr int kDepth = 2;
  static constexpr int kPanels = 2;
  static constexpr int RowsFor(int /*panels*/) { return 4; }

  static Vec LoadI32(const int32_t* src) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)); }
  static Vec Broadcast(int32_t pair) { return _mm256_set1_epi32(pair); }
  static Vec LoadWeights(const int16_t* w) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(w)); }
  static Vec Dot(Vec acc, Vec a, Vec w) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, w)); }
  static Vec Set1(int32_t v) { return _mm256_set1_epi32(v); }
  static Vec Add(Vec a, Vec b) { return _mm256_add_epi32(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm256_min_epi32(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm256_max_epi32(a, b); }
  static Tail MakeTail(int count) { return count; }

  static void StoreI32(int32_t* dst, Vec v, Tail count) {
    if (count == 8) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), v);
    } else {
      alignas(32) int32_t tmp[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), v);
      std::memcpy(dst, tmp, static_cast<size_t>(count) * sizeof(int32_t));
    }
  }
  static void StoreI8(int8_t* dst, Vec q, Tail count) { Store8(dst, q, count); }

  static Epilogue LoadEpilogue(const QConvPacked& p, int c0, bool fixed) {
    Epilogue e;
    if (fixed) {
      e.multiplier = LoadI32(p.multiplier.data() + c0);
      e.left = LoadI32(p.left_shift.data() + c0);
      e.right = LoadI32(p.right_shift.data() + c0);
      e.mask = LoadI32(p.right_mask.data() + c0);
      e.threshold = _mm256_srai_epi32(e.mask, 1);
    } else {
      e.real = _mm256_loadu_ps(p.real.data() + c0);
    }
    return e;
  }
  static Vec Requantize(Vec acc, const Epilogue& e, bool fixed, bool left_shift) {
    return fixed ? FixedPoint(acc, e, left_shift) : FloatRule(acc, e);
  }
};

}  // namespace

void GemmS16Avx2(const QConvPacked& p, const int16_t* a, size_t lda, int rows, int n_begin, int n_end,
                 int8_t* y, size_t ldy) {
  TiledGemm<Avx2>(p, p.bias.data(), a, lda, rows, n_begin, n_end, y, ldy);
}

void GemmS16Avx2I32(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows,
                    int n_begin, int n_end, int32_t* y, size_t ldy) {
  TiledGemm<Avx2>(p, bias, a, lda, rows, n_begin, n_end, y, ldy);
}

}  // namespace qforge::kernels::x86
