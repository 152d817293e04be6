// qforge's own kernels in the optimized list (the XNNPACK-backed ones are in
// kernels/xnnpack): per-tensor QuantizeLinear / DequantizeLinear to and from
// int8, and Transpose. All exact (bit-identical to the reference).
#pragma once

#include "kernels/opt_kernel.h"

namespace qforge::kernels::opt {

Result<std::unique_ptr<PreparedKernel>> CreateQuantize(const NodeInfo& info);
Result<std::unique_ptr<PreparedKernel>> CreateDequantize(const NodeInfo& info);
Result<std::unique_ptr<PreparedKernel>> CreateTranspose(const NodeInfo& info);

}  // namespace qforge::kernels::opt
