#!/usr/bin/env node
// Usage: node run_ort.js MODEL.onnx INPUT.npy... --out DIR
//
// Runs MODEL with onnxruntime-node (CPU) on the given inputs (graph input
// order) and writes each output as DIR/<output name>.npy (characters other
// than [A-Za-z0-9._-] in the name become '_').
'use strict';

const fs = require('fs');
const path = require('path');
const npy = require('./npy');
const runner = require('./ort_runner');

function usage(msg) {
  if (msg) console.error(`run_ort.js: ${msg}`);
  console.error('usage: node run_ort.js MODEL.onnx INPUT.npy... --out DIR');
  process.exit(2);
}

function parseArgs(argv) {
  const positional = [];
  let out = null;
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--out') {
      if (i + 1 >= argv.length) usage('--out needs a directory');
      out = argv[++i];
    } else if (argv[i] === '-h' || argv[i] === '--help') {
      usage();
    } else if (argv[i].startsWith('--')) {
      usage(`unknown flag ${argv[i]}`);
    } else {
      positional.push(argv[i]);
    }
  }
  if (positional.length < 1) usage('missing MODEL');
  if (!out) usage('missing --out DIR');
  return {model: positional[0], inputs: positional.slice(1), out};
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const session = await runner.createSession(args.model);
  const inputs = args.inputs.map((p) => npy.readNpy(p));
  const outputs = await runner.runSession(session, inputs);
  fs.mkdirSync(args.out, {recursive: true});
  for (const o of outputs) {
    const file = path.join(args.out, `${runner.safeFileName(o.name)}.npy`);
    npy.writeNpy(file, o.type, o.dims, o.data);
    console.log(`${o.name}: ${o.type} [${o.dims.join(', ')}] -> ${file}`);
  }
}

main().catch((err) => {
  console.error(`run_ort.js: ${err.message || err}`);
  process.exit(1);
});
