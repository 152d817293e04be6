// Internals of QConv (qconv.h) shared by the dispatcher (qconv.cc) and the
// per-ISA GEMM files (qconv_portable.cc, qconv_avx2.cc, qconv_avx512vnni.cc).
//
// Every Run packs a tile of output pixels' input windows ("A", im2col) into
// the workspace and multiplies it with the prepacked weights ("B"), then the
// GEMM requantizes in registers and stores int8 NHWC rows. Two layouts:
//
// kU8S8 (AVX-512 VNNI, vpdpbusd is u8 x s8): A holds x ^ 0x80 = x + 128 as
//   uint8, padding holds Zx + 128; rows are k_padded = round_up(K, 4) bytes.
//   B: 16-channel panels, [n_padded / 16][k_padded / 4][16][4] int8. Since
//   sum (x + 128) w = sum (x - Zx) w + (Zx + 128) sum w, the packed bias is
//   bias - (Zx + 128) * sum_k w[c, k], all modulo 2^32 like the reference's
//   int32 wrap, so the accumulator is exactly the reference's.
// kS16 (AVX2 vpmaddwd, portable): A holds x - Zx as int16 (padding 0), rows
//   of k_padded = round_up(K, 2); B: 8-channel panels, [n_padded / 8]
//   [k_padded / 2][8][2] int16; the bias is the bias.
// K is ordered (ky, kx, c) so that an NHWC pixel's channels are contiguous.
// Padded k and channels have zero weights; padded channels are never stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "ir/graph.h"
#include "kernels/x86/cpu_features.h"

namespace qforge::kernels::x86 {

enum class PackLayout { kU8S8, kS16 };

// Rows of A after the last valid one that the micro-kernels may read (they
// compute whole register tiles and store only valid rows); zero-filled.
inline constexpr int kSpareRows = 12;

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

struct QConvPacked {
  PackLayout layout = PackLayout::kS16;
  int k = 0;                                   // kernel_h * kernel_w * in_channels
  int k_padded = 0;                            // a multiple of 4 (kU8S8) or 2 (kS16)
  int n = 0;                                   // out_channels
  int n_padded = 0;                            // a multiple of 16 (kU8S8) or 8 (kS16)
  int group_channels = 0;                      // channels one micro-kernel call covers at most (split unit)
  int tile_rows = 0;                           // rows of A packed at once (multiple of 24)
  std::unique_ptr<void, AlignedFree> weights;  // 64-byte aligned, see the layouts above
  size_t weight_bytes = 0;
  // n_padded entries each (zero for padded channels).
  std::vector<int32_t> bias;
  std::vector<int32_t> sum_w;  // sum_k w[c, k] (RunInt32's per-call bias in kU8S8)
  ir::Requantization rule = ir::Requantization::kFixedPoint;
  std::vector<int32_t> multiplier;   // Q31
  std::vector<int32_t> left_shift;   // max(shift, 0)
  std::vector<int32_t> right_shift;  // max(-shift, 0)
  std::vector<int32_t> right_mask;   // 2^right_shift - 1
  bool any_left_shift = false;
  std::vector<float> real;
  int32_t output_zero_point = 0, output_min = -128, output_max = 127;
};

// y[r * ldy + c] for rows r in [0, rows) and channels c in [n_begin, n_end)
// from A rows a + r * lda (elements; rows up to round_up(rows, tile) readable).
// n_begin is a multiple of group_channels; n_end <= n.
using GemmU8S8Fn = void (*)(const QConvPacked& p, const uint8_t* a, size_t lda, int rows, int n_begin,
                            int n_end, int8_t* y, size_t ldy);
using GemmS16Fn = void (*)(const QConvPacked& p, const int16_t* a, size_t lda, int rows, int n_begin,
                           int n_end, int8_t* y, size_t ldy);

void GemmS16Portable(const QConvPacked& p, const int16_t* a, size_t lda, int rows, int n_begin, int n_end,
                     int8_t* y, size_t ldy);
void GemmS16Avx2(const QConvPacked& p, const int16_t* a, size_t lda, int rows, int n_begin, int n_end,
                 int8_t* y, size_t ldy);
void GemmU8S8Avx512Vnni(const QConvPacked& p, const uint8_t* a, size_t lda, int rows, int n_begin, int n_end,
                        int8_t* y, size_t ldy);

// The same GEMMs storing the int32 accumulators (QConv::RunInt32), started
// from `bias` (n_padded entries) instead of p.bias.
void GemmS16PortableI32(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows,
                        int n_begin, int n_end, int32_t* y, size_t ldy);
void GemmS16Avx2I32(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows,
                    int n_begin, int n_end, int32_t* y, size_t ldy);
void GemmU8S8Avx512VnniI32(const QConvPacked& p, const int32_t* bias, const uint8_t* a, size_t lda, int rows,
                           int n_begin, int n_end, int32_t* y, size_t ldy);

}  // namespace qforge::kernels::x86
