// The register-tiled GEMM driver of QConv's SIMD paths (qconv_internal.h has
// the layouts and the entry points' contract), written once for every ISA.
//
// Include this only from an ISA file (qconv_avx2.cc, qconv_avx512vnni.cc) and
// instantiate it there with that file's `Isa` struct, declared in the file's
// anonymous namespace: every instantiation then has internal linkage and is
// compiled with that file's flags alone, so no AVX-512 code can be merged
// into a baseline or AVX2 caller by the linker.
//
// `Isa` supplies (all inline, static):
//   AElem, WElem           element types of A and of the packed weights
//   Vec, Epilogue, Tail    an accumulator register; requantization
//                          parameters of one panel; a store width
//   kLanes                 channels per weight panel (one Vec)
//   kDepth                 k values per vector product (4 bytes of A)
//   kPanels                most panels a tile covers
//   RowsFor(panels)        the tile rows for `panels` panels (constexpr)
//   LoadI32(const int32_t*), Broadcast(int32_t), LoadWeights(const WElem*),
//   Dot(acc, a, w)         acc + the kDepth-term products of each lane
//   MakeTail(count)        the store width of `count` <= kLanes channels
//   StoreI32(int32_t*, Vec, Tail), StoreI8(int8_t*, Vec, Tail)
//   LoadEpilogue(p, c0, fixed), Requantize(acc, e, fixed, left_shift)
//                          acc * multiplier by p.rule, before Zy and the clamp
//   Add, Min, Max, Set1    32-bit lane arithmetic
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/x86/qconv_internal.h"

namespace qforge::kernels::x86 {

// MR rows x NJ panels from channel n0: acc = bias + A W, then stores rows
// [0, rows) and channels [n0, n_end). OutT int8_t: requantized int8 output;
// int32_t: the raw accumulators (QConv::RunInt32). `bias` initializes the
// accumulators (n_padded entries).
template <class Isa, int MR, int NJ, typename OutT>
void GemmTile(const QConvPacked& p, const int32_t* bias, const typename Isa::AElem* a, size_t lda, int rows,
              int n0, int n_end, OutT* y, size_t ldy) {
  using Vec = typename Isa::Vec;
  constexpr int kLanes = Isa::kLanes;
  const size_t kp = static_cast<size_t>(p.k_padded);
  const size_t panel = kp * kLanes;
  const typename Isa::WElem* w =
      static_cast<const typename Isa::WElem*>(p.weights.get()) + static_cast<size_t>(n0 / kLanes) * panel;
  Vec acc[MR][NJ];
#pragma GCC unroll 4
  for (int j = 0; j < NJ; ++j) {
    const Vec b = Isa::LoadI32(bias + n0 + kLanes * j);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) acc[i][j] = b;
  }
  // Counted in steps (k_padded is a multiple of kDepth): one induction
  // variable, as the hand-written loops had.
  const size_t steps = kp / Isa::kDepth;
  for (size_t k = 0; k < steps; ++k) {
    Vec wv[NJ];
#pragma GCC unroll 4
    for (int j = 0; j < NJ; ++j) wv[j] = Isa::LoadWeights(w + j * panel + k * (Isa::kDepth * kLanes));
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      int32_t word;
      std::memcpy(&word, a + i * lda + k * Isa::kDepth, 4);
      const Vec av = Isa::Broadcast(word);
#pragma GCC unroll 4
      for (int j = 0; j < NJ; ++j) acc[i][j] = Isa::Dot(acc[i][j], av, wv[j]);
    }
  }
  // The int8 output's parameters (dead for int32 output). Read once: the
  // int8 stores below may alias any byte, p included.
  const Vec zy = Isa::Set1(p.output_zero_point);
  const Vec lo = Isa::Set1(p.output_min);
  const Vec hi = Isa::Set1(p.output_max);
  const bool fixed = p.rule == ir::Requantization::kFixedPoint;
  const bool left_shift = p.any_left_shift;
#pragma GCC unroll 4
  for (int j = 0; j < NJ; ++j) {
    const int c0 = n0 + kLanes * j;
    const int count = n_end - c0 < kLanes ? n_end - c0 : kLanes;
    if (count <= 0) break;
    const typename Isa::Tail tail = Isa::MakeTail(count);
    if constexpr (std::is_same_v<OutT, int32_t>) {
#pragma GCC unroll 12
      for (int i = 0; i < MR; ++i) {
        if (i >= rows) break;
        Isa::StoreI32(y + i * ldy + c0, acc[i][j], tail);
      }
    } else {
      const typename Isa::Epilogue e = Isa::LoadEpilogue(p, c0, fixed);
#pragma GCC unroll 12
      for (int i = 0; i < MR; ++i) {
        if (i >= rows) break;
        const Vec q = Isa::Requantize(acc[i][j], e, fixed, left_shift);
        Isa::StoreI8(y + i * ldy + c0, Isa::Min(Isa::Max(Isa::Add(q, zy), lo), hi), tail);
      }
    }
  }
}

// Full MR-row tiles, then the remaining rows with the smallest tile that
// covers them (a fully connected layer with one row would otherwise compute
// MR rows to store one).
template <class Isa, int MR, int NJ, typename OutT>
void GemmRows(const QConvPacked& p, const int32_t* bias, const typename Isa::AElem* a, size_t lda, int rows,
              int n0, int n_end, OutT* y, size_t ldy) {
  int r = 0;
  for (; r + MR <= rows; r += MR)
    GemmTile<Isa, MR, NJ, OutT>(p, bias, a + r * lda, lda, MR, n0, n_end, y + r * ldy, ldy);
  const int left = rows - r;
  a += r * lda;
  y += r * ldy;
  if (left == 0) return;
  if (left == 1) {
    GemmTile<Isa, 1, NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else if (left <= 2) {
    GemmTile<Isa, 2, NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else if (MR > 4 && left <= 4) {
    GemmTile<Isa, (MR > 4 ? 4 : MR), NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else if (MR > 8 && left <= 8) {
    GemmTile<Isa, (MR > 8 ? 8 : MR), NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  } else {
    GemmTile<Isa, MR, NJ, OutT>(p, bias, a, lda, left, n0, n_end, y, ldy);
  }
}

// The rows of a block of `panels` <= NJ panels, tiled as Isa::RowsFor says.
template <class Isa, int NJ, typename OutT>
void GemmPanels(int panels, const QConvPacked& p, const int32_t* bias, const typename Isa::AElem* a,
                size_t lda, int rows, int n0, int n_end, OutT* y, size_t ldy) {
  if constexpr (NJ > 1) {
    if (panels < NJ) return GemmPanels<Isa, NJ - 1>(panels, p, bias, a, lda, rows, n0, n_end, y, ldy);
  }
  GemmRows<Isa, Isa::RowsFor(NJ), NJ>(p, bias, a, lda, rows, n0, n_end, y, ldy);
}

// The GEMM entry points' body (GemmS16Avx2, GemmU8S8Avx512Vnni, ...): blocks
// of Isa::kPanels panels across [n_begin, n_end), the last one narrower.
template <class Isa, typename OutT>
void TiledGemm(const QConvPacked& p, const int32_t* bias, const typename Isa::AElem* a, size_t lda, int rows,
               int n_begin, int n_end, OutT* y, size_t ldy) {
  constexpr int kBlock = Isa::kPanels * Isa::kLanes;
  for (int n0 = n_begin; n0 < n_end; n0 += kBlock) {
    const int panels = (n_end - n0 + Isa::kLanes - 1) / Isa::kLanes;
    GemmPanels<Isa, Isa::kPanels>(panels, p, bias, a, lda, rows, n0, n_end, y, ldy);
  }
}

}  // namespace qforge::kernels::x86
