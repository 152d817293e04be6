// Reference integer kernels of the quantized IR (docs/design/quantized_ir.md)
// for the elementwise, pooling, reduction, table-activation and softmax
// families. Each family's Run dispatches here when its input is quantized
// (int8/uint8 with quantization parameters); each function reads (S, Z) from
// the tensors and errors, naming the node, when a required parameter is
// missing.
#pragma once

#include <functional>
#include <vector>

#include "kernels/kernel.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::ref {

// Add / Sub (TFLite reference: 20-bit left shift, per-input multipliers) and
// Mul on two quantized inputs of one dtype, numpy broadcasting, clamped to
// the node's fused activation.
Status RunQuantizedBinary(KernelContext& ctx);

// Max / Min of quantized inputs that share the output's (S, Z) (the
// quantizer and shape inference guarantee it; another one is an error):
// the maximum / minimum of the codes, any number of inputs, numpy broadcasting.
// Exact: the quantizer is monotone, so max(Q(a), Q(b)) = Q(max(a, b)).
Status RunQuantizedMinMax(KernelContext& ctx);

// MaxPool / AveragePool over geometry g: output (S, Z) = input's. AveragePool
// sums q (padded positions inside the pads count as Z when
// count_include_pad) and divides rounding half away from zero.
Status RunQuantizedWindowPool(KernelContext& ctx, const ops::Window3D& g);

// GlobalAveragePool (own output parameters) and GlobalMaxPool (input's).
Status RunQuantizedGlobalPool(KernelContext& ctx);

// ReduceMean with own output parameters over the dims flagged in `reduced`:
// Z_out + MultiplyByQuantizedMultiplier(sum(q - Z_in), S_in / (S_out * count)).
Status RunQuantizedReduceMean(KernelContext& ctx, const std::vector<bool>& reduced);

// Elementwise y = f(x) through a 256-entry table built for this run:
// table[q] = QuantizeValue(f(DequantizeValue(q, S_in, Z_in)), S_out, Z_out,
// half away from zero). int8 / uint8 only.
Status RunQuantizedTable(KernelContext& ctx, const std::function<float(float)>& f);

// Softmax / LogSoftmax along n of an [outer, n, inner] view.
Status RunQuantizedSoftmax(KernelContext& ctx, int64_t outer, int64_t n, int64_t inner, bool log);

}  // namespace qforge::kernels::ref
