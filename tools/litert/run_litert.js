#!/usr/bin/env node
// Usage: node run_litert.js MODEL.tflite INPUT.npy... --out DIR
//            [--output-shape D0,D1,...]...
//
// Runs MODEL in LiteRT 2.5.3 (@litertjs/core, WebAssembly + XNNPACK, CPU) on
// the inputs (graph input order) and writes DIR/output_<k>.npy in the
// model's output types. Exit 2: usage or unreadable input; 1: LiteRT failed.
//
// LiteRT's JS bindings cannot resize an input. When the data's shape differs
// from the shape written in the file (a dynamic dimension), the runner writes
// the data's shape into a copy of the file, as ResizeInputTensor would; the
// output shapes in the file are then stale and LiteRT sizes its output
// buffers from them, so each output's shape must be given with
// --output-shape (one per output, in order).
'use strict';

const fs = require('fs');
const path = require('path');
const npy = require('../ort/npy');
const fb = require('./tflite_fb');
const runner = require('./litert_runner');

function usage(msg) {
  if (msg) console.error(`run_litert.js: ${msg}`);
  console.error('usage: node run_litert.js MODEL.tflite INPUT.npy... --out DIR [--output-shape D0,D1,...]...');
  process.exit(2);
}

function parseDims(text) {
  if (!/^\d+(,\d+)*$/.test(text)) usage(`bad --output-shape '${text}'`);
  return text.split(',').map(Number);
}

function parseArgs(argv) {
  const positional = [];
  const outputShapes = [];
  let out = null;
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--out' || arg === '--output-shape') {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      if (arg === '--out') out = argv[++i];
      else outputShapes.push(parseDims(argv[++i]));
    } else if (arg === '-h' || arg === '--help') {
      usage();
    } else if (arg.startsWith('--')) {
      usage(`unknown flag ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length < 1) usage('missing MODEL');
  if (!out) usage('missing --out DIR');
  return {model: positional[0], inputs: positional.slice(1), out, outputShapes};
}

function sameDims(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

// Returns the model bytes LiteRT should load: the file itself when every
// input matches its written shape, else a copy resized to the data.
function resizedModel(bytes, inputs, outputShapes) {
  const io = fb.readIo(bytes);
  if (io.inputs.length !== inputs.length) {
    throw new Error(`model has ${io.inputs.length} inputs, ${inputs.length} given`);
  }
  if (inputs.every((x, i) => sameDims(x.dims, io.inputs[i].shape))) {
    if (outputShapes.length !== 0) usage('--output-shape is only for resized inputs');
    return bytes;
  }
  if (outputShapes.length !== io.outputs.length) {
    usage(`inputs differ from the model's shapes (${io.inputs.map((t) => `[${t.shape}]`).join(' ')}): ` +
          `give --output-shape for each of its ${io.outputs.length} outputs`);
  }
  return fb.withShapes(bytes, inputs.map((x) => x.dims), outputShapes);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let bytes;
  let inputs;
  try {
    bytes = fs.readFileSync(args.model);
    inputs = args.inputs.map((p) => npy.readNpy(p));
  } catch (err) {
    usage(err.message);
  }
  const wasm = await runner.loadLiteRt();
  let outputs;
  try {
    outputs = await runner.runModel(wasm, resizedModel(bytes, inputs, args.outputShapes), inputs);
  } catch (err) {
    const logged = wasm.loggedErrors.length ? ` (LiteRT: ${wasm.loggedErrors.join('; ')})` : '';
    throw new Error(`${String(err.message || err).split('\n')[0]}${logged}`);
  }
  fs.mkdirSync(args.out, {recursive: true});
  outputs.forEach((o, k) => {
    const file = path.join(args.out, `output_${k}.npy`);
    npy.writeNpy(file, o.type, o.dims, o.data);
    console.log(`output ${k}: ${o.type} [${o.dims.join(', ')}] -> ${file}`);
  });
}

main().catch((err) => {
  console.error(`run_litert.js: ${String(err.message || err).split('\n')[0]}`);
  process.exit(1);
});
