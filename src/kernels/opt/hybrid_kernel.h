// The hybrid (dynamic-range) Conv, Gemm and MatMul of the quantized IR
// (docs/design/quantized_ir.md): float32 activations quantized per inference
// as ONNX DynamicQuantizeLinear, int8 per-channel constant weights, float32
// output float(acc) * (S_x * S_w[c]) + bias[c]. The int32 accumulators come
// from qforge's own int8 GEMM (kernels/x86/qconv.h RunInt32); the output is
// bit-exact with the reference (ref/int_linear.cc QuantizeDynamic and
// HybridOutput).
#pragma once

#include "kernels/opt_kernel.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::opt {

// Conv (2-D, group 1, qf_layout NHWC) with a float32 input and an int8 weight.
Result<std::unique_ptr<PreparedKernel>> CreateHybridConv(const NodeInfo& info);
bool HybridConvRunsNhwc(const ir::Graph& graph, const ir::Node& node);
// Depthwise Conv (2-D, group = channels, one output channel each, qf_layout
// NHWC) with a float32 input and an int8 weight.
Result<std::unique_ptr<PreparedKernel>> CreateHybridDepthwiseConv(const NodeInfo& info);
bool HybridDepthwiseConvRunsNhwc(const ir::Graph& graph, const ir::Node& node);
// Gemm (transA 0, alpha = beta = 1) with a 2-D float32 A and an int8 constant B.
Result<std::unique_ptr<PreparedKernel>> CreateHybridGemm(const NodeInfo& info);
// MatMul of a 2-D float32 A and a 2-D int8 constant B.
Result<std::unique_ptr<PreparedKernel>> CreateHybridMatMul(const NodeInfo& info);

// The per-element loops of the hybrid kernel with AVX2 (hybrid_kernel_avx2.cc;
// call only when the CPU has AVX2), bit-exact with the scalar code of
// hybrid_kernel.cc.
namespace hybrid_avx2 {
// quant::DynamicQuantizeRange of x[0, count).
quant::RealRange Range(const float* x, int64_t count);
// q - 128 for q = clamp(round_half_even(x / scale) + zero_point, 0, 255), NaN -> zero_point.
void Quantize(const float* x, int64_t count, float scale, int32_t zero_point, int8_t* q);
// In place, per row r and channel c < n of y (holding int32 accumulators):
// y = clamp(float(acc) * scale[c] + bias[r * bias_row_stride + c], act_min, act_max),
// the product and the sum rounded separately; bias may be nullptr (no add).
void Epilogue(float* y, int64_t rows, int64_t n, const float* scale, const float* bias,
              int64_t bias_row_stride, float act_min, float act_max);
}  // namespace hybrid_avx2

}  // namespace qforge::kernels::opt
