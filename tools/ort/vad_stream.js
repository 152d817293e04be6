#!/usr/bin/env node
// Streams audio frames through Silero VAD models in ONNX Runtime, feeding
// each frame's state outputs (hn, cn) to the next frame, and compares every
// model's speech probabilities with the first one's (the float model):
//
//   node vad_stream.js FRAMES.npy FLOAT.onnx QUANT.onnx... [--sr 16000] [--threshold 0.5]
//
// FRAMES.npy is float32 [N, frame] (512 samples at 16 kHz). Prints one line
// per model: max and mean |p - p_float|, and the fraction of frames whose
// speech decision (p >= threshold) agrees with the float model's.
'use strict';

const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
const {readNpy} = require('./npy.js');

async function stream(model, frames, sr) {
  const s = await ort.InferenceSession.create(model, {graphOptimizationLevel: 'all'});
  const [n, len] = frames.dims;
  let h = new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 64]);
  let c = new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 64]);
  const srT = new ort.Tensor('int64', BigInt64Array.from([BigInt(sr)]), []);
  const probs = [];
  for (let i = 0; i < n; ++i) {
    const x = new ort.Tensor('float32', frames.data.slice(i * len, (i + 1) * len), [1, len]);
    const out = await s.run({input: x, sr: srT, h, c});
    probs.push(out.output.data[0]);
    h = out.hn;
    c = out.cn;
  }
  return probs;
}

(async () => {
  const args = process.argv.slice(2);
  let sr = 16000, threshold = 0.5;
  const files = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--sr') sr = Number(args[++i]);
    else if (args[i] === '--threshold') threshold = Number(args[++i]);
    else files.push(args[i]);
  }
  if (files.length < 2) {
    console.error('usage: node vad_stream.js FRAMES.npy FLOAT.onnx [QUANT.onnx...] [--sr 16000] [--threshold 0.5]');
    process.exit(2);
  }
  const frames = readNpy(files[0]);
  const ref = await stream(files[1], frames, sr);
  const speech = ref.filter((p) => p >= threshold).length;
  console.log(`${path.basename(files[1])}: ${ref.length} frames, ${speech} speech (p >= ${threshold})`);
  for (const f of files.slice(2)) {
    const p = await stream(f, frames, sr);
    let max = 0, sum = 0, agree = 0;
    for (let i = 0; i < p.length; ++i) {
      const d = Math.abs(p[i] - ref[i]);
      max = Math.max(max, d);
      sum += d;
      agree += (p[i] >= threshold) === (ref[i] >= threshold) ? 1 : 0;
    }
    console.log(`${path.basename(f)}: max |dp| ${max.toFixed(4)}, mean ${(sum / p.length).toFixed(5)}, ` +
                `decisions agree ${(100 * agree / p.length).toFixed(2)}% (${agree}/${p.length})`);
  }
})().catch((e) => {
  console.error(String(e));
  process.exit(1);
});
