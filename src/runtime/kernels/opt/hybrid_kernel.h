// The hybrid (dynamic-range) Conv, Gemm and MatMul of the quantized IR
// (docs/design/quantized_ir.md): float32 activations quantized per inference
// as ONNX DynamicQuantizeLinear, int8 per-channel constant weights, float32
// output float(acc) * (S_x * S_w[c]) + bias[c]. The int32 accumulators come
// from qforge's own int8 GEMM (kernels/x86/qconv.h RunInt32); the output is
// bit-exact with the reference (ref/int_linear.cc QuantizeDynamic and
// HybridOutput).
#pragma once

#include "runtime/kernels/opt/opt_kernel.h"

namespace qforge::kernels::opt {

// Conv (2-D, group 1, qf_layout NHWC) with a float32 input and an int8 weight.
Result<std::unique_ptr<PreparedKernel>> CreateHybridConv(const NodeInfo& info);
// Gemm (transA 0, alpha = beta = 1) with a 2-D float32 A and an int8 constant B.
Result<std::unique_ptr<PreparedKernel>> CreateHybridGemm(const NodeInfo& info);
// MatMul of a 2-D float32 A and a 2-D int8 constant B.
Result<std::unique_ptr<PreparedKernel>> CreateHybridMatMul(const NodeInfo& info);

}  // namespace qforge::kernels::opt
