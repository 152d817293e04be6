#!/usr/bin/env node
// Usage: node ort_qdq_run.js MODEL.onnx OUT_DIR [--optimized FILE] [--no-opt] [--qdq-int8] INPUT.npy...
//
// Runs MODEL with onnxruntime-node (CPU, one thread) on the inputs (graph
// input order), writes output i as OUT_DIR/output_<i>.npy. --optimized FILE
// saves ORT's optimized graph (sessionOptions.optimizedModelFilePath) so a
// test can check that ORT fused the QDQ layout into QLinear* ops; --no-opt
// disables graph optimizations (ORT then runs the QDQ graph literally, in
// float). On CPUs whose uint8 x int8 kernels saturate (no VNNI), models
// without int8 activations run with session.x64quantprecision=1, said on
// stderr (tools/ort/ort_precision.js). Used by tests/unit/onnx_qdq_*_test.cc.
'use strict';

const fs = require('fs');
const path = require('path');
const ORT_DIR = path.join(__dirname, '..', '..', 'tools', 'ort');
const ort = require(path.join(ORT_DIR, 'node_modules', 'onnxruntime-node'));
const npy = require(path.join(ORT_DIR, 'npy.js'));
const precision = require(path.join(ORT_DIR, 'ort_precision.js'));

async function main() {
  const argv = process.argv.slice(2);
  const positional = [];
  let qdqInt8 = false;
  const options = {executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
                   executionMode: 'sequential'};
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--optimized') {
      options.optimizedModelFilePath = argv[++i];
      options.graphOptimizationLevel = 'all';
    } else if (argv[i] === '--qdq-int8') {
      // Keep int8 QDQ groups int8: without it ORT on x86 converts internal
      // int8 Q/DQ pairs to uint8 (QDQS8ToU8Transformer) and leaves ops whose
      // neighbours stayed int8 (graph I/O, values with two consumers) unfused.
      qdqInt8 = true;
    } else if (argv[i] === '--no-opt') {
      options.graphOptimizationLevel = 'disabled';
    } else {
      positional.push(argv[i]);
    }
  }
  if (positional.length < 2) throw new Error('usage: ort_qdq_run.js MODEL OUT_DIR [--optimized F] [--no-opt] IN...');
  const [model, outDir, ...inputs] = positional;
  options.extra = precision.integerSessionOptions(model, qdqInt8, (note) => console.error(`ort_qdq_run.js: ${note}`));
  const session = await ort.InferenceSession.create(model, options);
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    const t = npy.readNpy(inputs[i]);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  });
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, {recursive: true});
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    npy.writeNpy(path.join(outDir, `output_${i}.npy`), t.type, Array.from(t.dims), t.data);
  });
}

main().catch((err) => {
  console.error(`ort_qdq_run.js: ${err.message || err}`);
  process.exit(1);
});
