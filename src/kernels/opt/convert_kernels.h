// qforge's own kernels in the optimized list (the XNNPACK-backed ones are in
// kernels/xnnpack): per-tensor QuantizeLinear / DequantizeLinear to and from
// int8, and Transpose. All exact (bit-identical to the reference).
#pragma once

#include "kernels/opt_kernel.h"

namespace qforge::kernels::opt {

Result<std::unique_ptr<PreparedKernel>> CreateQuantize(const NodeInfo& info);
Result<std::unique_ptr<PreparedKernel>> CreateDequantize(const NodeInfo& info);
Result<std::unique_ptr<PreparedKernel>> CreateTranspose(const NodeInfo& info);

// out[b][c][r] = in[b][r][c] for `batch` row-major rows x cols matrices of
// `elem`-byte elements (1 or 4).
void BatchedTranspose2D(size_t elem, const void* in, void* out, int64_t batch, int64_t rows, int64_t cols);

}  // namespace qforge::kernels::opt
