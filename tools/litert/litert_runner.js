// Loads LiteRT (the TensorFlow Lite runtime, @litertjs/core's WebAssembly
// build) in Node and runs a .tflite model on the CPU through its low-level
// embind API. The package's high-level JS API is written for browsers and its
// Tensor has no INT8, so this drives the C++ classes directly: LoadModel,
// CompileModel, TensorBuffer.CreateManaged, lock/unlock, CompiledModel.run.
'use strict';

const fs = require('fs');
const path = require('path');

const WASM_DIR = path.join(__dirname, 'node_modules', '@litertjs', 'core', 'wasm');
// The "compat" build uses plain SIMD; the default build needs relaxed SIMD,
// which Node enables only behind a flag.
const GLUE = path.join(WASM_DIR, 'litert_wasm_compat_internal.js');
const WASM = path.join(WASM_DIR, 'litert_wasm_compat_internal.wasm');

// LiteRT ElementType values (litert_model_types.h) -> npy.js type names.
const ELEMENT_TYPES = {1: 'float32', 2: 'int32', 3: 'uint8', 4: 'int64', 6: 'bool', 9: 'int8'};
const ARRAYS = {
  float32: Float32Array, int32: Int32Array, uint8: Uint8Array, int64: BigInt64Array,
  bool: Uint8Array, int8: Int8Array,
};

function typeName(elementType) {
  const name = ELEMENT_TYPES[elementType.value];
  if (!name) throw new Error(`LiteRT element type ${elementType.value} is not supported here`);
  return name;
}

function vectorToArray(vec) {
  const out = [];
  for (let i = 0; i < vec.size(); ++i) out.push(vec.get(i));
  vec.delete();
  return out;
}

// The glue is an emscripten MODULARIZE factory written for CommonJS; it is
// evaluated in a function scope so Node needs no loader hooks.
async function loadLiteRt() {
  const src = fs.readFileSync(GLUE, 'utf8');
  const mod = {exports: {}};
  new Function('module', 'exports', 'require', '__filename', '__dirname', src)(
      mod, mod.exports, require, GLUE, WASM_DIR);
  const wasmBinary = fs.readFileSync(WASM);
  // LiteRT logs INFO lines on every load; keep its errors (an op's prepare
  // failure names the op there) for the failure message.
  const errors = [];
  const keepErrors = (line) => {
    if (/^ERROR/.test(line)) errors.push(line);
  };
  const wasm = await mod.exports({wasmBinary, print: () => {}, printErr: keepErrors});
  wasm.loggedErrors = errors;
  return wasm;
}

// Runs MODEL (bytes) on inputs [{type, dims, data}] in graph input order;
// returns [{type, dims, data}] in graph output order.
async function runModel(wasm, modelBytes, inputs) {
  const env = wasm.LiteRtEnvironment.create(null);
  const ptr = wasm._malloc(modelBytes.byteLength);
  wasm.HEAPU8.set(modelBytes, ptr);
  const model = wasm.loadModel(env, ptr, modelBytes.byteLength);
  const compiled = await wasm.compileModel(env, model,
      {accelerator: 'wasm', cpuOptions: {numThreads: 1}, gpuOptions: {}, webNNOptions: {}});
  const signature = model.getSignature(0);
  const inputNames = vectorToArray(signature.inputNames());
  const outputNames = vectorToArray(signature.outputNames());
  if (inputs.length !== inputNames.length) {
    throw new Error(`model has ${inputNames.length} inputs, ${inputs.length} given`);
  }
  const buffers = inputs.map((input, i) => makeInput(wasm, env, model, i, input));
  const outBuffers = await compiled.run(0, buffers);
  if (outBuffers.length !== outputNames.length) {
    throw new Error(`LiteRT returned ${outBuffers.length} outputs, the signature names ${outputNames.length}`);
  }
  return outBuffers.map((b) => readBuffer(wasm, b));
}

function makeInput(wasm, env, model, index, input) {
  const declared = model.getInputTensorType(0, index);
  const type = typeName(declared.elementType());
  if (type !== input.type) throw new Error(`input ${index}: model wants ${type}, got ${input.type}`);
  const dims = new wasm.VectorInt32();
  for (const d of input.dims) dims.push_back(d);
  const layout = wasm.LiteRtLayout.create(dims);
  const tensorType = wasm.LiteRtRankedTensorType.create(declared.elementType(), layout);
  const bytes = new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength);
  const buffer = wasm.LiteRtTensorBuffer.createManaged(env, wasm.LiteRtTensorBufferType.HOST_MEMORY, tensorType, bytes.byteLength);
  const p = buffer.lock(wasm.LiteRtTensorBufferLockMode.WRITE);
  wasm.HEAPU8.set(bytes, p);
  buffer.unlock();
  return buffer;
}

function readBuffer(wasm, buffer) {
  const tensorType = buffer.tensorType();
  const type = typeName(tensorType.elementType());
  const dims = vectorToArray(tensorType.layout().dimensions());
  const p = buffer.lock(wasm.LiteRtTensorBufferLockMode.READ);
  const bytes = wasm.HEAPU8.slice(p, p + tensorType.bytes());
  buffer.unlock();
  return {type, dims, data: new ARRAYS[type](bytes.buffer)};
}

module.exports = {loadLiteRt, runModel};
