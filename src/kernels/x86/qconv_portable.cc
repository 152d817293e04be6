// The portable GEMM of QConv (kS16 layout, qconv_internal.h): plain loops,
// the requantization through qscheme/arithmetic.h itself, so this path is the
// reference's arithmetic by construction and the fallback on any CPU.
#include <algorithm>
#include <type_traits>

#include "kernels/x86/qconv_internal.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::x86 {

namespace {

// OutT int8_t: requantized int8 output; int32_t: the raw accumulators
// (QConv::RunInt32). `bias` initializes the accumulators (n_padded entries).
template <typename OutT>
void Gemm(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows, int n_begin,
          int n_end, OutT* y, size_t ldy) {
  const int16_t* w = static_cast<const int16_t*>(p.weights.get());
  const size_t kp = static_cast<size_t>(p.k_padded);
  for (int r = 0; r < rows; ++r) {
    const int16_t* row = a + static_cast<size_t>(r) * lda;
    for (int c0 = n_begin; c0 < n_end; c0 += 8) {
      const int16_t* panel = w + static_cast<size_t>(c0 / 8) * kp * 8;
      // uint32 sums wrap modulo 2^32 like the reference's int32 wrap.
      uint32_t acc[8];
      for (int j = 0; j < 8; ++j) acc[j] = static_cast<uint32_t>(bias[static_cast<size_t>(c0 + j)]);
      for (size_t k = 0; k < kp; k += 2) {
        const int32_t a0 = row[k], a1 = row[k + 1];
        const int16_t* wk = panel + k * 8;
        for (int j = 0; j < 8; ++j) {
          acc[j] += static_cast<uint32_t>(a0 * wk[2 * j] + a1 * wk[2 * j + 1]);
        }
      }
      const int count = std::min(8, n_end - c0);
      for (int j = 0; j < count; ++j) {
        const size_t c = static_cast<size_t>(c0 + j);
        const int32_t sum = static_cast<int32_t>(acc[j]);
        if constexpr (std::is_same_v<OutT, int32_t>) {
          y[static_cast<size_t>(r) * ldy + c] = sum;
          continue;
        }
        int64_t q;
        if (p.rule == ir::Requantization::kFixedPoint) {
          const int shift = p.left_shift[c] - p.right_shift[c];
          q = int64_t{p.output_zero_point} +
              quant::MultiplyByQuantizedMultiplier(sum, p.multiplier[c], shift);
        } else {
          const float product = static_cast<float>(sum) * p.real[c];
          // Values beyond +-2^30 clamp to the same int8 limit as the exact
          // rounding would, and stay inside int64.
          const double r = quant::RoundToIntegral(std::clamp<double>(product, -1073741824.0, 1073741824.0),
                                                  quant::RoundingRule::kHalfToEven);
          q = int64_t{p.output_zero_point} + static_cast<int64_t>(r);
        }
        y[static_cast<size_t>(r) * ldy + c] =
            static_cast<int8_t>(std::clamp<int64_t>(q, p.output_min, p.output_max));
      }
    }
  }
}

}  // namespace

void GemmS16Portable(const QConvPacked& p, const int16_t* a, size_t lda, int rows, int n_begin, int n_end,
                     int8_t* y, size_t ldy) {
  Gemm(p, p.bias.data(), a, lda, rows, n_begin, n_end, y, ldy);
}

void GemmS16PortableI32(const QConvPacked& p, const int32_t* bias, const int16_t* a, size_t lda, int rows,
                        int n_begin, int n_end, int32_t* y, size_t ldy) {
  Gemm(p, bias, a, lda, rows, n_begin, n_end, y, ldy);
}

}  // namespace qforge::kernels::x86
