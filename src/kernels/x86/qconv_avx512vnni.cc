// The AVX-512 VNNI GEMM of QConv (kU8S8 layout, qconv_internal.h): register
// tiles of MR rows x NJ 16-channel panels accumulated with vpdpbusd, then
// requantized in registers (bit-exact with qscheme/arithmetic.h) and stored.

// GCC 12 warns about the _mm*_undefined_* placeholders inside its own
// intrinsics at -O3 (GCC bug 105593); the warning says nothing about this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qconv_gemm.h"
#include "kernels/x86/qconv_internal.h"
#include "kernels/x86/qconv_pack.h"

namespace qforge::kernels::x86 {

namespace {

struct RequantRegs {
  __m512i multiplier, multiplier_odd, left;
  // Per channel, as 64-bit lanes for the even and the odd channels: the
  // rounding term, the correction for negative values and the total shift
  // of the single rounding in FixedPoint.
  __m512i round_even, round_odd, fix_even, fix_odd, shift_even, shift_odd;
  __m512 real;
};

// Builds the 64-bit parameters from the right shifts r of 16 channels.
inline void SetRounding(__m512i right, RequantRegs* e) {
  const __m512i r_even = _mm512_and_si512(right, _mm512_set1_epi64(0xffffffff));
  const __m512i r_odd = _mm512_srli_epi64(right, 32);
  const __m512i half = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i zero = _mm512_setzero_si512();
  auto build = [&](__m512i r, __m512i* round, __m512i* fix, __m512i* shift) {
    const __mmask8 positive = _mm512_cmpgt_epi64_mask(r, zero);
    *round = _mm512_add_epi64(half, _mm512_maskz_sllv_epi64(positive, half, r));
    *fix = _mm512_maskz_mov_epi64(positive, _mm512_set1_epi64(int64_t{1} << 31));
    *shift = _mm512_add_epi64(r, _mm512_set1_epi64(31));
  };
  build(r_even, &e->round_even, &e->fix_even, &e->shift_even);
  build(r_odd, &e->round_odd, &e->fix_odd, &e->shift_odd);
}

// MultiplyByQuantizedMultiplier for 16 lanes (multiplier >= 0), in one
// rounding. With P = a * m (int64), SaturatingRoundingDoublingHighMul is
// trunc((P + nudge) / 2^31), nudge 2^30 or 1 - 2^30 by sign, which equals
// x = floor((P + 2^30) / 2^31) for both signs. RoundingDivideByPOT(x, r) for
// r >= 1 is floor((x + 2^(r-1) - [x < 0]) / 2^r), and nested floors merge:
//   result = floor((P + 2^30 + 2^(30+r) - [P < -2^30] * 2^31) / 2^(31+r))
// (r = 0: floor((P + 2^30) / 2^31)), computed on the even and the odd lanes.
inline __m512i FixedPoint(__m512i acc, const RequantRegs& e, bool left_shift) {
  if (left_shift) {
    const __m512i shifted = _mm512_sllv_epi32(acc, e.left);
    const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, e.left), acc);
    const __m512i saturated = _mm512_xor_si512(_mm512_srai_epi32(acc, 31), _mm512_set1_epi32(0x7fffffff));
    acc = _mm512_mask_mov_epi32(shifted, overflow, saturated);
  }
  const __m512i negative = _mm512_set1_epi64(-(int64_t{1} << 30));
  const __m512i p_even = _mm512_mul_epi32(acc, e.multiplier);
  const __m512i p_odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), e.multiplier_odd);
  __m512i t_even = _mm512_add_epi64(p_even, e.round_even);
  __m512i t_odd = _mm512_add_epi64(p_odd, e.round_odd);
  t_even = _mm512_mask_sub_epi64(t_even, _mm512_cmplt_epi64_mask(p_even, negative), t_even, e.fix_even);
  t_odd = _mm512_mask_sub_epi64(t_odd, _mm512_cmplt_epi64_mask(p_odd, negative), t_odd, e.fix_odd);
  const __m512i q_even = _mm512_srav_epi64(t_even, e.shift_even);
  const __m512i q_odd = _mm512_srav_epi64(t_odd, e.shift_odd);
  return _mm512_mask_blend_epi32(0xAAAA, q_even, _mm512_slli_epi64(q_odd, 32));
}

// round_half_even(float(acc) * real) with embedded rounding (independent of
// MXCSR); products beyond +-2^30 are clamped first, which changes no int8
// result but keeps the conversion in range.
inline __m512i FloatRule(__m512i acc, const RequantRegs& e) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), e.real);
  v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(-1073741824.0f)), _mm512_set1_ps(1073741824.0f));
  return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

// The AVX-512 VNNI side of qconv_gemm.h: 16-channel panels of u8 x s8 quads.
struct Vnni {
  using AElem = uint8_t;
  using WElem = int8_t;
  using Vec = __m512i;
  using Epilogue = RequantRegs;
  using Tail = __mmask16;  // channels to store
  static constexpr int kLanes = 16;
  static constexpr int kDepth = 4;
  static constexpr int kPanels = 4;
  // Tiles of at most 24 accumulators (of 32 registers), as tall as they fit.
  static constexpr int RowsFor(int panels) { return panels >= 4 ? 6 : panels == 3 ? 8 : 12; }

  static Vec LoadI32(const int32_t* src) { return _mm512_loadu_si512(src); }
  static Vec Broadcast(int32_t quad) { return _mm512_set1_epi32(quad); }
  static Vec LoadWeights(const int8_t* w) { return _mm512_load_si512(w); }
  static Vec Dot(Vec acc, Vec a, Vec w) { return _mm512_dpbusd_epi32(acc, a, w); }
  static Vec Set1(int32_t v) { return _mm512_set1_epi32(v); }
  static Vec Add(Vec a, Vec b) { return _mm512_add_epi32(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm512_min_epi32(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm512_max_epi32(a, b); }
  static Tail MakeTail(int count) { return static_cast<__mmask16>((1u << count) - 1); }

  static void StoreI32(int32_t* dst, Vec v, Tail store) { _mm512_mask_storeu_epi32(dst, store, v); }
  static void StoreI8(int8_t* dst, Vec q, Tail store) {
    _mm_mask_storeu_epi8(dst, store, _mm512_cvtepi32_epi8(q));
  }

  static Epilogue LoadEpilogue(const QConvPacked& p, int c0, bool fixed) {
    Epilogue e;
    if (fixed) {
      e.multiplier = _mm512_loadu_si512(p.multiplier.data() + c0);
      e.multiplier_odd = _mm512_srli_epi64(e.multiplier, 32);
      e.left = _mm512_loadu_si512(p.left_shift.data() + c0);
      SetRounding(_mm512_loadu_si512(p.right_shift.data() + c0), &e);
    } else {
      e.real = _mm512_loadu_ps(p.real.data() + c0);
    }
    return e;
  }
  static Vec Requantize(Vec acc, const Epilogue& e, bool fixed, bool left_shift) {
    return fixed ? FixedPoint(acc, e, left_shift) : FloatRule(acc, e);
  }
};

// dst[i] = src[i] ^ 0x80 (int8 -> uint8 + 128) with masked tails, which
// neither read nor write past the run. (Unmasked 32-byte copies that spill
// past the run measured no faster on the 7x7 stem.)
struct FlipCopy {
  void operator()(const int8_t* src, int count, uint8_t* dst) const {
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    int i = 0;
    for (; i + 64 <= count; i += 64) {
      _mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), flip));
    }
    if (i < count) {
      const __mmask64 m = (uint64_t{1} << (count - i)) - 1;
      _mm512_mask_storeu_epi8(dst + i, m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), flip));
    }
  }
};

}  // namespace

void PackU8Avx512Vnni(const QConvDesc& d, const QConvPacked& p, const QConvGeometry& g, const int8_t* x,
                      int32_t zx, int64_t m0, int rows, uint8_t* a) {
  PackRows<uint8_t>(d, p, g, x, m0, rows, static_cast<uint8_t>(zx + 128), FlipCopy{}, a);
}

void GemmU8S8Avx512Vnni(const QConvPacked& p, const uint8_t* a, size_t lda, int rows, int n_begin, int n_end,
                        int8_t* y, size_t ldy) {
  TiledGemm<Vnni>(p, p.bias.data(), a, lda, rows, n_begin, n_end, y, ldy);
}

void GemmU8S8Avx512VnniI32(const QConvPacked& p, const int32_t* bias, const uint8_t* a, size_t lda, int rows,
                           int n_begin, int n_end, int32_t* y, size_t ldy) {
  TiledGemm<Vnni>(p, bias, a, lda, rows, n_begin, n_end, y, ldy);
}

}  // namespace qforge::kernels::x86
