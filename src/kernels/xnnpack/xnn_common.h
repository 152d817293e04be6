// Shared pieces of the XNNPACK-backed kernels (Debian libxnnpack, the CPU
// kernel library TensorFlow Lite uses). XNNPACK picks its micro-kernels by
// CPU features itself (AVX-512, AVX2, SSE, scalar); qforge decides per node
// whether XNNPACK supports it and otherwise runs the reference kernel.
//
// Integer numerics: XNNPACK requantizes in float ("fp32" scheme:
// round(float(acc) * (S_x * S_w / S_y)) + Z_y), which is within 1 step of
// the fixed-point reference and equal to the ONNX rule up to the float
// rounding of the multiplier; kernel names say "fp32".
#pragma once

#include <xnnpack.h>

#include <cstdint>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "kernels/opt_kernel.h"
#include "qforge/status.h"
#include "qforge/tensor.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::xnn {

// xnn_initialize once per process; false when XNNPACK cannot run on this CPU.
bool Available();

// True when the node carries the runtime-only NHWC layout attribute.
bool IsNhwc(const ir::Node& node);

// An XNNPACK operator owned by a kernel.
struct OperatorDeleter {
  void operator()(xnn_operator* op) const;
};
using Operator = std::unique_ptr<xnn_operator, OperatorDeleter>;

// Per-tensor (scale, zero point) of a quantized type; false when absent or per-axis.
bool PerTensorQuant(const ir::TensorType& t, float* scale, int32_t* zero_point);

// The output clamp of a float op: the node's fused activation.
void FloatLimits(const ir::Node& node, float* lo, float* hi);
// The output clamp of an int8 op with output (S, Z): the fused activation in
// the quantized domain, within [-128, 127].
void Int8Limits(const ir::Node& node, float scale, int32_t zero_point, int8_t* lo, int8_t* hi);

// An error naming the node and the XNNPACK call that failed.
Status Failed(const KernelContext& ctx, const char* call, xnn_status status);

}  // namespace qforge::kernels::xnn
