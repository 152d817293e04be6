// Per-tensor float32 <-> int8 conversion, bit-exact with the reference
// QuantizeLinear / DequantizeLinear (ONNX semantics):
//   quantize:   q = clamp(round_half_even(x / S) + Z, -128, 127), NaN -> Z
//               (the division in float32, as the reference does);
//   dequantize: x = float(q - Z) * S (one float32 multiply).
// Each has a portable and an AVX2 body (convert_avx2.cc), chosen by BestIsa.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/x86/cpu_features.h"

namespace qforge::kernels::x86 {

void QuantizeS8(const float* x, size_t n, float scale, int32_t zero_point, int8_t* q, Isa isa);
void DequantizeS8(const int8_t* q, size_t n, float scale, int32_t zero_point, float* x, Isa isa);

// The ISA bodies (same contracts).
void QuantizeS8Portable(const float* x, size_t n, float scale, int32_t zero_point, int8_t* q);
void DequantizeS8Portable(const int8_t* q, size_t n, float scale, int32_t zero_point, float* x);
void QuantizeS8Avx2(const float* x, size_t n, float scale, int32_t zero_point, int8_t* q);
void DequantizeS8Avx2(const int8_t* q, size_t n, float scale, int32_t zero_point, float* x);

}  // namespace qforge::kernels::x86
