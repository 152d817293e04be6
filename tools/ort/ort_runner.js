// Runs an ONNX model with onnxruntime-node on the CPU. Shared by run_ort.js
// and compare.js so both see the same session options.
'use strict';

const ort = require('onnxruntime-node');

// Types both the .npy helpers and ORT understand. float16 and strings are
// deliberately absent: qforge's CLI does not exchange them.
const SUPPORTED_TYPES = new Set(['float32', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool']);

async function createSession(modelPath) {
  // Deterministic, single-threaded CPU execution: the reference must not
  // change between runs, and CI machines have 2 cores.
  return ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
}

// Declared shape of each graph input, from ORT's metadata: numbers for fixed
// dims, strings (or -1) for symbolic ones.
function inputSpecs(session) {
  return session.inputNames.map((name, i) => {
    const meta = session.inputMetadata ? session.inputMetadata[i] : undefined;
    if (!meta || !meta.isTensor) throw new Error(`input '${name}': not a tensor or no metadata`);
    return {name, type: meta.type, shape: Array.from(meta.shape)};
  });
}

// inputs: array of {type, dims, data} in session.inputNames order.
// Returns array of {name, type, dims, data} in session.outputNames order.
async function runSession(session, inputs) {
  if (inputs.length !== session.inputNames.length) {
    throw new Error(`model has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}), ` +
                    `got ${inputs.length}`);
  }
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    const t = inputs[i];
    if (!SUPPORTED_TYPES.has(t.type)) throw new Error(`input '${name}': unsupported type ${t.type}`);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  });
  const results = await session.run(feeds);
  return session.outputNames.map((name) => {
    const t = results[name];
    if (!SUPPORTED_TYPES.has(t.type)) throw new Error(`output '${name}': unsupported type ${t.type}`);
    return {name, type: t.type, dims: Array.from(t.dims), data: t.data};
  });
}

// A file name for an output value: ONNX names may contain '/', ':' etc.
function safeFileName(name) {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'output';
}

module.exports = {createSession, inputSpecs, runSession, safeFileName};
