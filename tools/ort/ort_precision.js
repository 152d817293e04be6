// Session options that make ONNX Runtime's integer kernels exact on every x86
// CPU, for the cross-checks that compare qforge with ORT step for step.
//
// Why: ORT's x86 kernels for uint8 activations x int8 weights (U8S8:
// QLinearConv, QGemm, QLinearMatMul, MatMulInteger, DynamicQuantizeMatMul)
// multiply with vpmaddubsw on CPUs without VNNI. That instruction saturates
// the sum of two adjacent u8*s8 products to int16, so two weights beyond 7
// bits next to large activations make ORT's result wrong by many steps (ORT's
// quantization docs: use reduce_range or U8U8 on such CPUs). On an AVX2-only
// EPYC, ORT's QLinearConv output for the hand-built Conv of
// tests/unit/onnx_qdq_roundtrip_test.cc is what saturating adjacent pairs of
// its NHWC im2col gives, exactly, up to 90 steps from the exact result.
// VNNI's vpdpbusd accumulates in int32 and is exact.
//
// ORT's own remedy is the session option session.x64quantprecision=1: at
// graph optimization level "all" it rewrites those ops' constant int8
// weights to uint8 (w + 128, zero point + 128), so the exact U8U8 kernels
// run; the op types stay the same (QLinearConv stays QLinearConv). We set it
// only where the U8S8 kernels saturate, so on VNNI CPUs ORT runs the kernels
// its users get, and only where ORT keeps no int8 activations: else the
// rewrite also turns the weights of int8 x int8 QLinearConv / QGemm into
// uint8, a type pair ORT has no kernel for ("Failed to find kernel for
// com.microsoft.QGemm") or will not fuse; ORT's int8 x int8 kernels do not
// saturate (on the AVX2 EPYC the fused int8 models equal the unfused run
// exactly), so none is needed there. The option does nothing at level
// "disabled", where MatMulInteger still runs the saturating kernel.
'use strict';

const fs = require('fs');
const proto = require('./ort_optimized_ops');

const INT8 = 3;  // TensorProto.DataType

// True when ORT's U8S8 kernels saturate here: an x86 CPU without AVX512-VNNI
// or AVX-VNNI. Assumed true if /proc/cpuinfo cannot be read: the precision
// option is correct everywhere, only slower.
function u8s8KernelsSaturate() {
  if (process.arch !== 'x64' && process.arch !== 'ia32') return false;
  let cpuinfo;
  try {
    cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch (err) {
    return true;
  }
  const flags = cpuinfo.match(/^flags\s*:(.*)$/m);
  if (!flags) return true;
  const set = new Set(flags[1].trim().split(/\s+/));
  return !set.has('avx512_vnni') && !set.has('avx_vnni');
}

// True when ORT will run some quantized op on int8 activations: int8 Q/DQ
// of activations with qdqInt8 (session.qdqisint8allowed), else only those on
// graph inputs and outputs (ORT's QDQS8ToU8Transformer turns int8 Q/DQ pairs
// on inner values into uint8 ones and leaves the graph's I/O int8).
function ortKeepsInt8Activations(graph, qdqInt8) {
  const inits = new Set(graph.initializers.map((t) => t.name));
  const int8 = new Set(graph.initializers.filter((t) => t.dataType === INT8).map((t) => t.name));
  const inputs = new Set(graph.inputs);
  const outputs = new Set(graph.outputs);
  return graph.nodes.some((n) => {
    if (!int8.has(n.inputs[2])) return false;
    if (n.opType === 'QuantizeLinear') return qdqInt8 || outputs.has(n.outputs[0]);
    if (n.opType !== 'DequantizeLinear' || inits.has(n.inputs[0])) return false;
    return qdqInt8 || inputs.has(n.inputs[0]);
  });
}

const NOTE = 'CPU without VNNI: ORT\'s uint8 x int8 kernels saturate in int16, running ORT with ' +
             'session.x64quantprecision=1 (exact uint8 x uint8 kernels)';

// The `extra` session options for running modelPath in a cross-check (the
// precision option only matters for models with int8 initializers).
// qdqInt8: ORT keeps int8 QDQ groups int8 (session.qdqisint8allowed). note
// is called with a one-line explanation when the precision option is set.
function integerSessionOptions(modelPath, qdqInt8, note = () => {}) {
  const session = qdqInt8 ? {qdqisint8allowed: '1'} : {};
  const graph = proto.loadModel(modelPath);
  const int8Weights = graph.initializers.some((t) => t.dataType === INT8);
  if (int8Weights && u8s8KernelsSaturate() && !ortKeepsInt8Activations(graph, qdqInt8)) {
    session.x64quantprecision = '1';
    note(NOTE);
  }
  return {session};
}

module.exports = {integerSessionOptions};
