// The A packer (im2col) of QConv, shared by the dispatcher and the ISA files
// so that each instantiates it with its own copy loop (qconv_internal.h has
// the layouts).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/x86/qconv.h"
#include "kernels/x86/qconv_internal.h"

namespace qforge::kernels::x86 {

struct QConvGeometry {
  int64_t batch;
  int in_h, in_w, out_h, out_w;
};

// The kS16 copier: dst[i] = src[i] - Zx as int16.
struct CenteredCopy {
  int32_t zx;
  void operator()(const int8_t* src, int count, int16_t* dst) const {
    for (int i = 0; i < count; ++i) dst[i] = static_cast<int16_t>(src[i] - zx);
  }
};

// Packs A rows [m0, m0 + rows) of the im2col matrix: `copy(src, count, dst)`
// transforms runs of input values, `pad` fills positions outside the image,
// zeros fill k >= K and kSpareRows rows after the last. Whole kernel rows are copied at
// once where they lie inside the image (contiguous kernel_w * C bytes in NHWC
// without dilation), which is most of the work for small C (the 7x7 stem).
template <typename T, typename Copy>
void PackRows(const QConvDesc& d, const QConvPacked& p, const QConvGeometry& g, const int8_t* x, int64_t m0,
              int rows, T pad, const Copy& copy, T* a) {
  const int c = d.in_channels;
  const size_t lda = static_cast<size_t>(p.k_padded);
  const bool pointwise = d.kernel_h == 1 && d.kernel_w == 1 && d.stride_h == 1 && d.stride_w == 1 &&
                         d.pad_top == 0 && d.pad_left == 0 && d.pad_bottom == 0 && d.pad_right == 0;
  if (pointwise && p.k == p.k_padded) {
    // Rows are consecutive pixels: one contiguous block.
    copy(x + m0 * c, rows * c, a);
  } else {
    const int64_t plane = int64_t{g.out_h} * g.out_w;
    int64_t b = m0 / plane;
    int oy = static_cast<int>((m0 % plane) / g.out_w);
    int ox = static_cast<int>(m0 % g.out_w);
    const int row_c = d.kernel_w * c;
    for (int r = 0; r < rows; ++r) {
      T* row = a + r * lda;
      const int ix0 = ox * d.stride_w - d.pad_left;
      const bool row_inside = d.dilation_w == 1 && ix0 >= 0 && ix0 + d.kernel_w <= g.in_w;
      for (int ky = 0; ky < d.kernel_h; ++ky) {
        const int iy = oy * d.stride_h - d.pad_top + ky * d.dilation_h;
        T* dst = row + ky * row_c;
        if (iy < 0 || iy >= g.in_h) {
          std::fill(dst, dst + row_c, pad);
          continue;
        }
        const int8_t* src_row = x + (b * g.in_h + iy) * g.in_w * c;
        if (row_inside) {
          copy(src_row + ix0 * c, row_c, dst);
          continue;
        }
        for (int kx = 0; kx < d.kernel_w; ++kx) {
          const int ix = ix0 + kx * d.dilation_w;
          if (ix < 0 || ix >= g.in_w) {
            std::fill(dst + kx * c, dst + (kx + 1) * c, pad);
          } else {
            copy(src_row + ix * c, c, dst + kx * c);
          }
        }
      }
      std::fill(row + p.k, row + lda, T{0});
      if (++ox == g.out_w) {
        ox = 0;
        if (++oy == g.out_h) {
          oy = 0;
          ++b;
        }
      }
    }
  }
  std::fill(a + rows * lda, a + (rows + kSpareRows) * lda, T{0});
}

// The kU8S8 packer with AVX-512 copies (qconv_avx512vnni.cc); zx is the input zero point (padding).
void PackU8Avx512Vnni(const QConvDesc& d, const QConvPacked& p, const QConvGeometry& g, const int8_t* x,
                      int32_t zx, int64_t m0, int rows, uint8_t* a);

}  // namespace qforge::kernels::x86
