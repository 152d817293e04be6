// Runs uint8-activation graphs on the int8 kernels.
//
// A uint8 value q with (S, Z) holds the same reals as the int8 value q - 128
// with (S, Z - 128). Every integer kernel of the quantized IR that reads q
// only as q - Z (Conv, Gemm, MatMul, Add, Sub, Mul, GlobalAveragePool,
// ReduceMean, Requantize, Concat's requantization, DequantizeLinear), as a
// table index over [qmin, qmax] (Relu/Clip/Sigmoid/Tanh/... tables, whose
// entries are QuantizeValue(r, S, Z) = round(r / S) + Z), by its order
// (MaxPool, GlobalMaxPool, ReduceMax, Max, Min, Softmax's q_max - q) or only moves it
// (Reshape, Transpose, Concat, Slice, Split, Gather, Pad, nearest Resize)
// gives the same result shifted by 128 when every uint8 input, output, clamp
// and constant shifts with it: the conversion is bit-exact.
//
// A Requantize reads either type (its arithmetic is q - Z_in), so none is
// put in front of it.
//
// Kernels that round raw q do not have that property and keep their uint8
// values behind a Requantize (same scale, zero point shifted by 128, which
// is exact): AveragePool (the reference, as TFLite, rounds the raw q sum /
// count half away from zero: half up on uint8, half down on a negative
// shifted sum), non-nearest Resize, Cast (reads raw q), and conservatively
// Where, Equal, PRelu and the ONNX integer ops with zero-point
// inputs.
#pragma once

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

struct Int8ActivationsReport {
  int converted = 0;    // uint8 activation values now int8
  int requantizes = 0;  // Requantize nodes added (graph I/O, uint8-only ops)
};

// Every non-constant uint8 quantized value becomes int8 with zero point
// Z - 128; QuantizeLinear / DequantizeLinear zero points and uint8 constants
// read by the converted ops shift with it. Graph inputs and outputs keep
// their names and uint8 types: a Requantize converts at the boundary.
Status ActivationsToInt8(ir::Graph& g, Int8ActivationsReport* report = nullptr);

}  // namespace qforge::passes
