#!/usr/bin/env node
// Cross-checks qforge against ONNX Runtime on one model.
//
//   node compare.js --qforge PATH_TO_QFORGE --model M.onnx [--batch N] [--rtol 1e-4] [--atol 1e-5]
//                   [--atol-from-max F] [--seed S] [--inputs random|fashion] [--workdir DIR] [--keep]
//                   [--qforge-model M2] [--nhwc]
//
// Inputs: one tensor per graph input, shaped as the model declares it with
// every symbolic (dynamic) dim set to --batch. Float inputs are seeded
// uniform random in [-1, 1); integer inputs uniform in [0, 4); bool 0/1.
// For Fashion-MNIST models (a sibling NAME.json with "dataset":
// "fashion-mnist", or --inputs fashion) the first N real test images are used
// instead, preprocessed as in training (x/255).
//
// --qforge-model runs qforge on another file than ORT (the .tflite that
// `qforge convert M.onnx -o M2.tflite` wrote); with --nhwc, 4-D inputs are
// given to qforge transposed NCHW -> NHWC and its 4-D outputs transposed
// back before comparison (TFLite stores activations NHWC).
//
// It runs ORT in process, then `QFORGE run MODEL --input in_0.npy ...
// --output out_0.npy ...` (one --output per model output), and compares each
// qforge output `a` with ORT's `b` element-wise:
//
//   PASS iff |a - b| <= atol + rtol * |b| for every element of every output
//            (NaN matches only NaN; +-Inf only the same infinity),
//            and shapes and dtypes are equal.
//   max_abs_err = max |a - b|
//   max_rel_err = max |a - b| / max(|b|, atol / rtol)   (the floor keeps
//                 near-zero reference values from dominating; an element
//                 passes iff its rel error <= rtol, up to rounding)
//
// --atol-from-max F raises atol to max(atol, F * max|b|) per output: for
// randomly initialised networks whose logits are all tiny, an absolute error
// floor relative to the output's scale is the meaningful measure.
//
// Prints `model NAME: batch=N, inputs=random|fashion, max_abs_err=..., max_rel_err=...,
//         elements=..., PASS|FAIL`
// and exits 0 on PASS, 1 on FAIL (including qforge errors), 2 on usage or
// ONNX Runtime errors.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const npy = require('./npy');
const runner = require('./ort_runner');

const FASHION_IMAGES = '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';
const QFORGE_TIMEOUT_MS = 15 * 60 * 1000;

function usage(msg) {
  if (msg) console.error(`compare.js: ${msg}`);
  console.error('usage: node compare.js --qforge QFORGE --model M.onnx [--batch N] [--rtol R] [--atol A]\n' +
                '                       [--atol-from-max F] [--seed S] [--inputs random|fashion]\n' +
                '                       [--workdir DIR] [--keep] [--verbose]');
  process.exit(2);
}

function parseArgs(argv) {
  const args = {qforge: null, model: null, batch: 1, rtol: 1e-4, atol: 1e-5, atolFromMax: 0, seed: 42,
                inputs: null, workdir: null, keep: false, verbose: false, qforgeModel: null, nhwc: false};
  const numeric = {'--batch': 'batch', '--rtol': 'rtol', '--atol': 'atol', '--atol-from-max': 'atolFromMax',
                   '--seed': 'seed'};
  const strings = {'--qforge': 'qforge', '--model': 'model', '--inputs': 'inputs', '--workdir': 'workdir',
                   '--qforge-model': 'qforgeModel'};
  for (let i = 0; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--keep') { args.keep = true; continue; }
    if (flag === '--verbose') { args.verbose = true; continue; }
    if (flag === '--nhwc') { args.nhwc = true; continue; }
    if (flag === '-h' || flag === '--help') usage();
    if (!(flag in numeric) && !(flag in strings)) usage(`unknown argument ${flag}`);
    if (i + 1 >= argv.length) usage(`${flag} needs a value`);
    const value = argv[++i];
    if (flag in strings) {
      args[strings[flag]] = value;
    } else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) usage(`${flag}: bad number '${value}'`);
      args[numeric[flag]] = n;
    }
  }
  if (!args.qforge) usage('missing --qforge');
  if (!args.model) usage('missing --model');
  if (!Number.isInteger(args.batch) || args.batch < 1) usage('--batch must be a positive integer');
  if (args.inputs !== null && args.inputs !== 'random' && args.inputs !== 'fashion') {
    usage(`--inputs must be random or fashion, not '${args.inputs}'`);
  }
  return args;
}

// mulberry32: a tiny seeded PRNG, so inputs are reproducible across runs
// and machines without a dependency.
function makeRng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isFashionModel(modelPath) {
  const meta = modelPath.replace(/\.onnx$/, '.json');
  if (meta === modelPath || !fs.existsSync(meta)) return false;
  try {
    return JSON.parse(fs.readFileSync(meta, 'utf8')).dataset === 'fashion-mnist';
  } catch (e) {
    return false;
  }
}

function concreteDims(spec, batch) {
  return spec.shape.map((d, i) => {
    if (typeof d === 'number' && d >= 0) return d;
    if (typeof d === 'string' || d === -1 || d === null) return batch;
    throw new Error(`input '${spec.name}': bad dim ${d} at axis ${i}`);
  });
}

function randomTensor(spec, dims, rng) {
  const count = dims.reduce((a, b) => a * b, 1);
  const info = Object.values(npy.DTYPES).find((d) => d.type === spec.type);
  if (!info) throw new Error(`input '${spec.name}': cannot generate type ${spec.type}`);
  const data = new info.Array(count);
  for (let i = 0; i < count; ++i) {
    if (spec.type === 'float32' || spec.type === 'float64') data[i] = 2 * rng() - 1;
    else if (spec.type === 'bool') data[i] = rng() < 0.5 ? 0 : 1;
    else if (spec.type === 'int64') data[i] = BigInt(Math.floor(4 * rng()));
    else data[i] = Math.floor(4 * rng());
  }
  return {type: spec.type, dims, data};
}

// The first dims[0] Fashion-MNIST test images as float32 [N,1,28,28] / 255.
function fashionTensor(spec, dims) {
  if (spec.type !== 'float32' || dims.length !== 4 || dims[1] !== 1 || dims[2] !== 28 || dims[3] !== 28) {
    throw new Error(`input '${spec.name}': expected float32 [N,1,28,28] for Fashion-MNIST, got ` +
                    `${spec.type} [${dims}]`);
  }
  const raw = zlib.gunzipSync(fs.readFileSync(FASHION_IMAGES));
  // IDX header: magic (0x00000803), count, rows, cols, all big-endian uint32.
  if (raw.readUInt32BE(0) !== 0x803) throw new Error(`${FASHION_IMAGES}: not an IDX3 uint8 file`);
  const available = raw.readUInt32BE(4);
  const pixels = 28 * 28;
  if (dims[0] > available) throw new Error(`only ${available} test images, asked for ${dims[0]}`);
  const data = new Float32Array(dims[0] * pixels);
  for (let i = 0; i < data.length; ++i) data[i] = raw[16 + i] / 255;
  return {type: 'float32', dims, data};
}

// Permutes a row-major tensor: out dims[i] = in dims[perm[i]].
function transposeTensor(t, perm) {
  const rank = t.dims.length;
  const outDims = perm.map((p) => t.dims[p]);
  const inStrides = new Array(rank).fill(1);
  for (let i = rank - 2; i >= 0; --i) inStrides[i] = inStrides[i + 1] * t.dims[i + 1];
  const data = new t.data.constructor(t.data.length);
  const idx = new Array(rank).fill(0);
  for (let o = 0; o < data.length; ++o) {
    let src = 0;
    for (let i = 0; i < rank; ++i) src += idx[i] * inStrides[perm[i]];
    data[o] = t.data[src];
    for (let i = rank - 1; i >= 0; --i) {
      if (++idx[i] < outDims[i]) break;
      idx[i] = 0;
    }
  }
  return {type: t.type, dims: outDims, data};
}
const NCHW_TO_NHWC = [0, 2, 3, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];

function toNumber(v) {
  return typeof v === 'bigint' ? Number(v) : v;
}

// Element-wise comparison per the header's definition.
function compareTensors(a, b, rtol, atolBase, atolFromMax) {
  const r = {maxAbs: 0, maxRel: 0, elements: b.data.length, pass: true, reason: '', atol: atolBase};
  if (a.type !== b.type || a.dims.join(',') !== b.dims.join(',')) {
    r.pass = false;
    r.reason = `qforge ${a.type} [${a.dims}] vs ORT ${b.type} [${b.dims}]`;
    return r;
  }
  let maxRef = 0;
  for (let i = 0; i < b.data.length; ++i) {
    const v = Math.abs(toNumber(b.data[i]));
    if (Number.isFinite(v)) maxRef = Math.max(maxRef, v);
  }
  const atol = Math.max(atolBase, atolFromMax * maxRef);
  r.atol = atol;
  const floor = rtol > 0 ? atol / rtol : 0;
  for (let i = 0; i < b.data.length; ++i) {
    const x = toNumber(a.data[i]);
    const y = toNumber(b.data[i]);
    if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || !Number.isFinite(y)) {
      if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) {
        r.pass = false;
        r.maxAbs = Infinity;
        r.maxRel = Infinity;
        if (!r.reason) r.reason = `element ${i}: qforge ${x} vs ORT ${y}`;
      }
      continue;
    }
    const err = Math.abs(x - y);
    r.maxAbs = Math.max(r.maxAbs, err);
    const denom = Math.max(Math.abs(y), floor);
    r.maxRel = Math.max(r.maxRel, denom > 0 ? err / denom : (err > 0 ? Infinity : 0));
    if (!(err <= atol + rtol * Math.abs(y))) {
      if (r.pass) r.reason = `first failure at element ${i}: qforge ${x} vs ORT ${y}`;
      r.pass = false;
    }
  }
  return r;
}

function runQforge(args, inputFiles, outputFiles) {
  const argv = ['run', args.qforgeModel || args.model];
  for (const f of inputFiles) argv.push('--input', f);
  for (const f of outputFiles) argv.push('--output', f);
  const res = childProcess.spawnSync(args.qforge, argv, {encoding: 'utf8', timeout: QFORGE_TIMEOUT_MS});
  if (args.verbose) console.error(`$ ${args.qforge} ${argv.join(' ')}\n${res.stdout || ''}${res.stderr || ''}`);
  if (res.error) return `could not run ${args.qforge}: ${res.error.message}`;
  if (res.status !== 0) {
    const firstLine = (res.stderr || res.stdout || '').trim().split('\n')[0];
    return `qforge exited with ${res.status === null ? res.signal : res.status}: ${firstLine}`;
  }
  return null;
}

function fmt(x) {
  return Number.isFinite(x) ? x.toExponential(3) : String(x);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const name = path.basename(args.qforgeModel || args.model).replace(/\.onnx$/, '');
  const useFashion = args.inputs ? args.inputs === 'fashion' : isFashionModel(args.model);
  const workdir = args.workdir || fs.mkdtempSync(path.join(os.tmpdir(), `qforge-compare-${name}-`));
  fs.mkdirSync(workdir, {recursive: true});

  const session = await runner.createSession(args.model);
  const rng = makeRng(args.seed);
  const inputs = runner.inputSpecs(session).map((spec) => {
    const dims = concreteDims(spec, args.batch);
    return useFashion ? fashionTensor(spec, dims) : randomTensor(spec, dims, rng);
  });
  const inputFiles = inputs.map((t, i) => {
    const file = path.join(workdir, i === 0 ? 'input.npy' : `input_${i}.npy`);
    const given = args.nhwc && t.dims.length === 4 ? transposeTensor(t, NCHW_TO_NHWC) : t;
    npy.writeNpy(file, given.type, given.dims, given.data);
    return file;
  });
  const expected = await runner.runSession(session, inputs);
  const outputFiles = expected.map((o, i) => path.join(workdir, i === 0 ? 'out.npy' : `out_${i}.npy`));
  for (const f of outputFiles) fs.rmSync(f, {force: true});

  const prefix = `model ${name}: batch=${args.batch}, inputs=${useFashion ? 'fashion' : 'random'}`;
  const failure = runQforge(args, inputFiles, outputFiles);
  if (failure) {
    console.log(`${prefix}, ${failure}, FAIL`);
    console.log(`  inputs kept in ${workdir}`);
    return 1;
  }
  let maxAbs = 0;
  let maxRel = 0;
  let elements = 0;
  let pass = true;
  const notes = [];
  expected.forEach((ref, i) => {
    let got;
    try {
      got = npy.readNpy(outputFiles[i]);
      if (args.nhwc && got.dims.length === 4) got = transposeTensor(got, NHWC_TO_NCHW);
    } catch (e) {
      pass = false;
      notes.push(`output '${ref.name}': ${e.message}`);
      return;
    }
    const r = compareTensors(got, ref, args.rtol, args.atol, args.atolFromMax);
    maxAbs = Math.max(maxAbs, r.maxAbs);
    maxRel = Math.max(maxRel, r.maxRel);
    elements += r.elements;
    if (!r.pass) {
      pass = false;
      notes.push(`output '${ref.name}': ${r.reason}`);
    }
    if (args.verbose) {
      console.error(`  output '${ref.name}' ${ref.type} [${ref.dims}]: max_abs_err=${fmt(r.maxAbs)}, ` +
                    `max_rel_err=${fmt(r.maxRel)}, atol=${fmt(r.atol)}, ${r.pass ? 'ok' : 'mismatch'}`);
    }
  });
  console.log(`${prefix}, max_abs_err=${fmt(maxAbs)}, max_rel_err=${fmt(maxRel)}, elements=${elements}, ` +
              `${pass ? 'PASS' : 'FAIL'}`);
  for (const n of notes) console.log(`  ${n}`);
  // A failing case keeps its files so it can be rerun by hand.
  if (!pass) console.log(`  inputs and outputs kept in ${workdir}`);
  else if (!args.keep && !args.workdir) fs.rmSync(workdir, {recursive: true, force: true});
  return pass ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`compare.js: ${err.message || err}`);
  process.exit(2);
});
