#include "kernels/x86/convert.h"

#include <cmath>

namespace qforge::kernels::x86 {

void QuantizeS8Portable(const float* x, size_t n, float scale, int32_t zero_point, int8_t* q) {
  // clamp(round(v) + Z) == clamp(round(v), -128 - Z, 127 - Z) + Z for integral round(v).
  const float lo = static_cast<float>(-128 - zero_point), hi = static_cast<float>(127 - zero_point);
  for (size_t i = 0; i < n; ++i) {
    const float v = std::nearbyint(x[i] / scale);  // default rounding mode: half to even
    const float c = std::isnan(v) ? 0.0f : std::fmin(std::fmax(v, lo), hi);
    q[i] = static_cast<int8_t>(static_cast<int32_t>(c) + zero_point);
  }
}

void DequantizeS8Portable(const int8_t* q, size_t n, float scale, int32_t zero_point, float* x) {
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(int32_t{q[i]} - zero_point) * scale;
}

void QuantizeS8(const float* x, size_t n, float scale, int32_t zero_point, int8_t* q, Isa isa) {
  if (isa >= Isa::kAvx2) return QuantizeS8Avx2(x, n, scale, zero_point, q);
  QuantizeS8Portable(x, n, scale, zero_point, q);
}

void DequantizeS8(const int8_t* q, size_t n, float scale, int32_t zero_point, float* x, Isa isa) {
  if (isa >= Isa::kAvx2) return DequantizeS8Avx2(q, n, scale, zero_point, x);
  DequantizeS8Portable(q, n, scale, zero_point, x);
}

}  // namespace qforge::kernels::x86
