// Just enough of a .tflite (FlatBuffers, schema.fbs) reader for the LiteRT
// runner: the main subgraph's input and output tensors, their shapes and
// quantization. LiteRT's JS bindings expose neither input resizing nor
// quantization parameters, so the runner reads them here.
'use strict';

// Field ids from tensorflow/lite/schema/schema.fbs.
const MODEL_OPERATOR_CODES = 1;
const MODEL_SUBGRAPHS = 2;
const OPCODE_DEPRECATED_BUILTIN = 0;
const OPCODE_BUILTIN = 3;
const OPERATOR_OPCODE_INDEX = 0;
const OPERATOR_INPUTS = 1;
const OPERATOR_OUTPUTS = 2;
const SUBGRAPH_OPERATORS = 3;
const BUILTIN_DEQUANTIZE = 6;
const SUBGRAPH_TENSORS = 0;
const SUBGRAPH_INPUTS = 1;
const SUBGRAPH_OUTPUTS = 2;
const TENSOR_SHAPE = 0;
const TENSOR_QUANTIZATION = 4;
const QUANT_SCALE = 2;
const QUANT_ZERO_POINT = 3;

class Reader {
  constructor(buf) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  check(pos, bytes) {
    if (pos < 0 || pos + bytes > this.view.byteLength) throw new Error('tflite: offset outside the file');
  }
  i8(pos) {
    this.check(pos, 1);
    return this.view.getInt8(pos);
  }
  i32(pos) {
    this.check(pos, 4);
    return this.view.getInt32(pos, true);
  }
  u32(pos) {
    this.check(pos, 4);
    return this.view.getUint32(pos, true);
  }
  // Position of field `id` of the table at `table`, or -1 when absent.
  field(table, id) {
    this.check(table, 4);
    const vtable = table - this.view.getInt32(table, true);
    this.check(vtable, 4);
    const vtableBytes = this.view.getUint16(vtable, true);
    if (4 + 2 * id >= vtableBytes) return -1;
    const off = this.view.getUint16(vtable + 4 + 2 * id, true);
    return off === 0 ? -1 : table + off;
  }
  // Follows the offset stored at `pos` (a table, vector or string reference).
  deref(pos) {
    return pos + this.u32(pos);
  }
  // {pos of first element, length} of the vector field, or null when absent.
  vector(table, id) {
    const f = this.field(table, id);
    if (f < 0) return null;
    const v = this.deref(f);
    return {start: v + 4, length: this.u32(v)};
  }
  tables(table, id) {
    const v = this.vector(table, id);
    if (!v) return [];
    return Array.from({length: v.length}, (_, i) => this.deref(v.start + 4 * i));
  }
  ints(table, id) {
    const v = this.vector(table, id);
    if (!v) return [];
    this.check(v.start, 4 * v.length);
    return Array.from({length: v.length}, (_, i) => this.view.getInt32(v.start + 4 * i, true));
  }
}

// Returns {inputs, outputs}: per tensor {shapePos, shape, scale, zeroPoint}
// (scale/zeroPoint per tensor; null when not quantized or per channel). A
// float output made by DEQUANTIZE also gets `dequantizes`: its input's
// {scale, zeroPoint}, the grid the output lies on.
function readIo(buf) {
  const r = new Reader(buf);
  const model = r.deref(0);
  const subgraph = r.tables(model, MODEL_SUBGRAPHS)[0];
  if (subgraph === undefined) throw new Error('tflite: no subgraph');
  const tensors = r.tables(subgraph, SUBGRAPH_TENSORS);
  const describe = (index) => {
    const t = tensors[index];
    if (t === undefined) throw new Error(`tflite: tensor index ${index} out of range`);
    const shapeVec = r.vector(t, TENSOR_SHAPE);
    const info = {shapePos: shapeVec ? shapeVec.start : -1, shape: r.ints(t, TENSOR_SHAPE), scale: null, zeroPoint: null};
    const q = r.field(t, TENSOR_QUANTIZATION);
    if (q >= 0) {
      const qt = r.deref(q);
      const scale = r.vector(qt, QUANT_SCALE);
      const zp = r.vector(qt, QUANT_ZERO_POINT);
      if (scale && scale.length === 1 && zp && zp.length === 1) {
        r.check(scale.start, 4);
        r.check(zp.start, 8);
        info.scale = r.view.getFloat32(scale.start, true);
        info.zeroPoint = Number(r.view.getBigInt64(zp.start, true));
      }
    }
    return info;
  };
  // Absent fields hold the default 0 (ADD); schema.fbs: the code is the
  // larger of the two fields (old files fill only the deprecated one).
  const codes = r.tables(model, MODEL_OPERATOR_CODES).map((c) => {
    const f = r.field(c, OPCODE_BUILTIN);
    const d = r.field(c, OPCODE_DEPRECATED_BUILTIN);
    return Math.max(f >= 0 ? r.i32(f) : 0, d >= 0 ? r.i8(d) : 0);
  });
  const dequantizeInput = new Map();  // output tensor index -> input index
  for (const op of r.tables(subgraph, SUBGRAPH_OPERATORS)) {
    const f = r.field(op, OPERATOR_OPCODE_INDEX);
    if (codes[f >= 0 ? r.u32(f) : 0] !== BUILTIN_DEQUANTIZE) continue;
    dequantizeInput.set(r.ints(op, OPERATOR_OUTPUTS)[0], r.ints(op, OPERATOR_INPUTS)[0]);
  }
  const outputs = r.ints(subgraph, SUBGRAPH_OUTPUTS).map((index) => {
    const info = describe(index);
    if (dequantizeInput.has(index)) {
      const q = describe(dequantizeInput.get(index));
      info.dequantizes = {scale: q.scale, zeroPoint: q.zeroPoint};
    }
    return info;
  });
  return {inputs: r.ints(subgraph, SUBGRAPH_INPUTS).map(describe), outputs};
}

// Returns a copy of the model whose input tensors have the shapes
// `inputShapes`, as TFLite's Interpreter::ResizeInputTensor would (ops
// recompute every inner shape when LiteRT prepares the graph), and whose
// output tensors have `outputShapes` (LiteRT sizes its output buffers from
// the file). Ranks must match: the shapes are overwritten in place.
function withShapes(buf, inputShapes, outputShapes) {
  const io = readIo(buf);
  const out = Buffer.from(buf);
  const write = (tensors, shapes, what) => tensors.forEach((t, i) => {
    const dims = shapes[i];
    if (dims.length !== t.shape.length) {
      throw new Error(`${what} ${i}: the model's shape [${t.shape}] has rank ${t.shape.length}, not that of [${dims}]`);
    }
    dims.forEach((d, k) => out.writeInt32LE(d, t.shapePos + 4 * k));
  });
  write(io.inputs, inputShapes, 'input');
  write(io.outputs, outputShapes, 'output');
  return out;
}

module.exports = {readIo, withShapes};

// `node tflite_fb.js MODEL.tflite` prints readIo's answer as JSON.
if (require.main === module) {
  const io = readIo(require('fs').readFileSync(process.argv[2]));
  const strip = (t) => { delete t.shapePos; return t; };
  console.log(JSON.stringify({inputs: io.inputs.map(strip), outputs: io.outputs.map(strip)}));
}
