// QDQ import folding: turns the QuantizeLinear / DequantizeLinear layout of
// ONNX files (ONNX Runtime's quantizer, PyTorch QAT exports, qforge's own
// writer) into the typed quantized IR of docs/design/quantized_ir.md.
//
// Patterns, all requiring constant (scale, zero point) inputs:
// - QuantizeLinear of a float constant -> an int8/uint8 constant.
// - DequantizeLinear of a constant int8/int32 -> the constant carries its
//   quantization parameters (Tensor::quant() and its type). The DQ itself
//   stays when a float op still reads it (weight-only form).
// - DQ -> float op -> [Relu / Clip with constant bounds] -> Q, where every
//   float data input comes from a DQ and the quantization policy gives the
//   op an integer form (qscheme/policy.h: QdqFoldForm) -> the op on the
//   quantized values, writing the Q's output (a Relu/Clip becomes the
//   fused activation). A float constant
//   Conv/Gemm bias is quantized to int32 with scale S_x * S_w[c] (what ONNX
//   Runtime's quantizer writes). Concat inputs whose parameters differ from
//   the output's get a Requantize.
// - DQ -> Q: equal parameters -> removed (unless the Q writes a graph
//   output), different -> Requantize.
// - DynamicQuantizeLinear -> ConvInteger / MatMulInteger -> Cast -> Mul(x_scale
//   * w_scale) -> [Add(bias)] -> [Relu / Clip] -> the hybrid Conv / MatMul
//   (Gemm when a 1-D bias is added to a 2-D product).
// Anything else stays as explicit Q/DQ and float ops: the graph computes
// what the file says either way. A no-op on graphs without Q/DQ nodes.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// Runs after shape inference (it reads quantized types); compacts the graph.
Status FoldQdq(ir::Graph& graph);

}  // namespace qforge::passes
