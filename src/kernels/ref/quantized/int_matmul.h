// The integer and hybrid reference Gemm and MatMul
// (docs/design/quantized_ir.md), run by kernels::ref::gemm::Run and
// kernels::ref::matmul::Run when their input types select them.
#pragma once

#include "kernels/kernel.h"

namespace qforge::kernels::ref {

// Gemm, alpha = beta = 1, transA = 0 (checked by Infer): A int8/uint8 [M, K],
// B int8 [K, N] (transB = 0) or [N, K] (transB = 1), per tensor or per output
// column, optional int32 C of N values -> Y [M, N] with the output's declared
// (S, Z): acc[i, j] = C[j] + sum_p (q_a[i, p] - Z_a) * q_b[p, j], then
// ChannelRequant with channel j.
Status RunIntegerGemm(KernelContext& ctx);

// MatMul with numpy batch broadcasting: A int8/uint8, B int8 weights (per
// tensor or per last axis, zero point 0) or a per-tensor activation of A's
// dtype (any zero point): acc = sum_k (q_a - Z_a) * (q_b - Z_b), channel =
// the output's last index.
Status RunIntegerMatMul(KernelContext& ctx);

// The hybrid forms: float32 A quantized per inference (DynamicQuantizeLinear),
// int8 B, optional float32 C (Gemm, broadcast to [M, N] as the float Gemm):
// Y = float(acc) * (S_a * S_b[j]) + C.
Status RunHybridGemm(KernelContext& ctx);
Status RunHybridMatMul(KernelContext& ctx);

}  // namespace qforge::kernels::ref
