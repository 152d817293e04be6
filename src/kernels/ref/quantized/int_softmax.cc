// Quantized Softmax / LogSoftmax over an [outer, n, inner] view. Within a
// row, x - max(x) = -S_in * d with d = qmax_row - q in [0, 255], so one
// 256-entry table e[d] = exp(-S_in * d) per run gives every exponential.
#include <algorithm>
#include <array>
#include <cmath>

#include "core/int_element.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref {

Status RunQuantizedSoftmax(KernelContext& ctx, int64_t outer, int64_t n, int64_t inner, bool log) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  TensorQuant qx, qy;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, x, "the input", &qx));
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, y, "the output", &qy));
  if (x.dtype() == DataType::kInt16 || y.dtype() == DataType::kInt16) {
    return ctx.Error("quantized softmax takes int8 or uint8 (a 256-entry table)");
  }
  std::array<float, 256> e{};
  for (size_t d = 0; d < e.size(); ++d) {
    e[d] = static_cast<float>(std::exp(-static_cast<double>(qx.scale) * static_cast<double>(d)));
  }
  auto quantize = [&](float r) {
    return quant::QuantizeValue(r, qy.scale, qy.zero_point, qy.limits.qmin, qy.limits.qmax,
                                quant::RoundingRule::kHalfAwayFromZero);
  };
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * n * inner + in;
      int32_t mx = qx.limits.qmin;
      for (int64_t i = 0; i < n; ++i) mx = std::max(mx, IntElement<int32_t>(x, base + i * inner));
      double sum = 0;
      for (int64_t i = 0; i < n; ++i)
        sum += e[static_cast<size_t>(mx - IntElement<int32_t>(x, base + i * inner))];
      const double log_sum = std::log(sum);
      for (int64_t i = 0; i < n; ++i) {
        const int32_t d = mx - IntElement<int32_t>(x, base + i * inner);
        const double r = log ? -static_cast<double>(qx.scale) * d - log_sum : e[static_cast<size_t>(d)] / sum;
        SetIntElement(&y, base + i * inner, quantize(static_cast<float>(r)));
      }
    }
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
