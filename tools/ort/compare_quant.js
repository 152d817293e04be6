#!/usr/bin/env node
// Compares qforge with ONNX Runtime on a quantized (QDQ) Fashion-MNIST model.
//
//   node compare_quant.js --qforge QFORGE --model M.onnx [--reference R.onnx] [--images N] [--offset K]
//                         [--batch B] [--step S|auto] [--min-fraction F] [--max-top1-diff P]
//                         [--level all|extended|basic|disabled] [--workdir DIR] [--keep] [--verbose]
//                         [--per-layer]
//
// Runs ORT in process on M (graphOptimizationLevel LEVEL, default "all": ORT
// then fuses each DequantizeLinear -> op -> QuantizeLinear group into
// QLinearConv / QLinearMatMul / QLinearAdd ..., i.e. it computes in integers
// as qforge does; on CPUs without VNNI with session.x64quantprecision, see
// ort_precision.js) and `QFORGE run M --input in.npy --output out.npy` on the
// same Fashion-MNIST test images (images K .. K+N-1, x/255, N default 10000),
// B images per run (default 1000: one qforge process per batch keeps 10k
// images feasible and memory small). Only the model's first output is
// compared; it must be [batch, classes] logits.
//
// step is the output's quantization step (scale): --step S, or --step auto
// (default) which reads the scale of the DequantizeLinear producing the
// output from M (it must be a constant scalar; otherwise pass --step).
//
// Prints
//   model NAME: images=N, step=S, within_1_step=F (n/m), max_diff_steps=D, top1_ort=A%, top1_qforge=B%,
//       top1_diff=C points, argmax_agree=E%, PASS|FAIL
// where within_1_step is the fraction of output elements with
// |qforge - ort| <= step * 1.001 (the 0.1% slack absorbs the float rounding
// of the dequantized values), max_diff_steps = max |qforge - ort| / step, and
// top-1 is measured against the test labels. With --reference R (usually the
// float model M was quantized from) it also prints R's top-1 under ORT and
// the quantization drop, for information only.
//
// PASS iff within_1_step >= F (--min-fraction, default 0.999) and
// |top1_ort - top1_qforge| <= P percentage points (--max-top1-diff, default
// 0.1) and qforge's output shape equals ORT's. Exit code 0 = PASS, 1 = FAIL
// (also when qforge fails), 2 = usage or ONNX Runtime errors.
//
// --per-layer locates where the runtimes part: M is cut after every
// QuantizeLinear -> DequantizeLinear pair (onnx.utils.extract_model via
// /usr/bin/python3), and qforge and ORT run each cut on the first min(N, B)
// images; one line per quantized tensor (graph order) with the fraction of
// equal values, within_1_step and max_diff_steps in that tensor's own step,
// then the first tensor whose within_1_step < F. Exit code 1 if any fails.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const ort = require('onnxruntime-node');
const npy = require('./npy');
const proto = require('./ort_optimized_ops');
const precision = require('./ort_precision');

const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const IMAGES_FILE = path.join(DATA_DIR, 't10k-images-idx3-ubyte.gz');
const LABELS_FILE = path.join(DATA_DIR, 't10k-labels-idx1-ubyte.gz');
const QFORGE_TIMEOUT_MS = 15 * 60 * 1000;
const STEP_SLACK = 1.001;
const LEVELS = ['disabled', 'basic', 'extended', 'all'];

class UsageError extends Error {}

function usage(msg) {
  if (msg) console.error(`compare_quant.js: ${msg}`);
  console.error('usage: node compare_quant.js --qforge QFORGE --model M.onnx [--reference R.onnx]\n' +
                '         [--images N] [--offset K] [--batch B] [--step S|auto] [--min-fraction F]\n' +
                '         [--max-top1-diff P] [--level all|extended|basic|disabled] [--workdir DIR]\n' +
                '         [--keep] [--verbose] [--per-layer]');
  process.exit(2);
}

function parseArgs(argv) {
  const args = {qforge: null, model: null, reference: null, images: 10000, offset: 0, batch: 1000,
                step: 'auto', minFraction: 0.999, maxTop1Diff: 0.1, level: 'all', workdir: null, keep: false,
                verbose: false, perLayer: false};
  const numeric = {'--images': 'images', '--offset': 'offset', '--batch': 'batch',
                   '--min-fraction': 'minFraction', '--max-top1-diff': 'maxTop1Diff'};
  const strings = {'--qforge': 'qforge', '--model': 'model', '--reference': 'reference', '--step': 'step',
                   '--level': 'level', '--workdir': 'workdir'};
  for (let i = 0; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--keep') { args.keep = true; continue; }
    if (flag === '--verbose') { args.verbose = true; continue; }
    if (flag === '--per-layer') { args.perLayer = true; continue; }
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
  for (const k of ['images', 'offset', 'batch']) {
    if (!Number.isInteger(args[k])) usage(`--${k} must be an integer`);
  }
  if (args.images < 1 || args.batch < 1) usage('--images and --batch must be positive');
  if (args.minFraction > 1) usage('--min-fraction must be in [0, 1]');
  if (!LEVELS.includes(args.level)) usage(`--level must be one of ${LEVELS.join(', ')}`);
  if (args.step !== 'auto') {
    const s = Number(args.step);
    if (!Number.isFinite(s) || s <= 0) usage(`--step: bad value '${args.step}' (a positive number or auto)`);
    args.step = s;
  }
  return args;
}

function readIdx(file, magic) {
  const raw = zlib.gunzipSync(fs.readFileSync(file));
  if (raw.readUInt32BE(0) !== magic) throw new Error(`${file}: not an IDX uint8 file of the expected rank`);
  return raw;
}

// {images: Uint8Array of N*784, labels: Uint8Array of N} for test images [offset, offset + count).
function loadFashion(offset, count) {
  const images = readIdx(IMAGES_FILE, 0x803);
  const labels = readIdx(LABELS_FILE, 0x801);
  const available = Math.min(images.readUInt32BE(4), labels.readUInt32BE(4));
  if (offset + count > available) {
    throw new UsageError(`only ${available} test images, asked for ${offset}+${count}`);
  }
  const px = 28 * 28;
  return {images: images.subarray(16 + offset * px, 16 + (offset + count) * px),
          labels: labels.subarray(8 + offset, 8 + offset + count)};
}

function floatBatch(pixels, start, count) {
  const px = 28 * 28;
  const data = new Float32Array(count * px);
  // Same preprocessing as training (models/*.json): float32(x) / 255.
  for (let i = 0; i < data.length; ++i) data[i] = Math.fround(pixels[start * px + i] / 255);
  return {type: 'float32', dims: [count, 1, 28, 28], data};
}

// Scale of the DequantizeLinear that produces the model's first output.
function outputStep(modelPath) {
  const g = proto.loadModel(modelPath);
  const out = g.outputs[0];
  const producers = new Map();
  for (const n of g.nodes) for (const o of n.outputs) producers.set(o, n);
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const node = producers.get(out);
  if (!node || node.opType !== 'DequantizeLinear') {
    const producer = node ? node.opType : 'input';
    throw new UsageError(`output '${out}' is not produced by DequantizeLinear (${producer}): pass --step`);
  }
  let scaleName = node.inputs[1];
  // Exporters sometimes route shared constants through Identity.
  for (let hops = 0; !inits.has(scaleName) && hops < 8; ++hops) {
    const p = producers.get(scaleName);
    if (!p || p.opType !== 'Identity') break;
    scaleName = p.inputs[0];
  }
  const t = inits.get(scaleName);
  if (!t || !t.floats || t.floats.length !== 1) {
    throw new UsageError(`output '${out}': DequantizeLinear scale '${scaleName}' is not a constant float ` +
                         'scalar: pass --step');
  }
  return t.floats[0];
}

const printedNotes = new Set();

async function createSession(modelPath, level) {
  return ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: level,
    // int8 activations: without qdqisint8allowed, ORT on x86 converts int8
    // Q/DQ pairs to uint8 and leaves some int8-activation groups in float;
    // with it, it fuses them all, so it computes in integers as qforge does.
    // Otherwise session.x64quantprecision where ORT's uint8 x int8 kernels
    // saturate (ort_precision.js).
    extra: precision.integerSessionOptions(modelPath, /*qdqInt8=*/true, (note) => {
      if (!printedNotes.has(note)) console.log(note);
      printedNotes.add(note);
    }),
  });
}

async function runOrt(session, input) {
  if (session.inputNames.length !== 1) {
    throw new Error(`model has ${session.inputNames.length} inputs, expected 1`);
  }
  const feed = new ort.Tensor('float32', input.data, input.dims);
  const results = await session.run({[session.inputNames[0]]: feed});
  const t = results[session.outputNames[0]];
  if (t.type !== 'float32') {
    throw new Error(`output '${session.outputNames[0]}' is ${t.type}, expected float32`);
  }
  return {type: t.type, dims: Array.from(t.dims), data: t.data};
}

function runQforge(args, inputFile, outputFile, model = args.model) {
  const argv = ['run', model, '--input', inputFile, '--output', outputFile];
  const res = childProcess.spawnSync(args.qforge, argv, {encoding: 'utf8', timeout: QFORGE_TIMEOUT_MS});
  if (args.verbose) {
    console.error(`$ ${args.qforge} ${argv.join(' ')}\n${res.stdout || ''}${res.stderr || ''}`);
  }
  if (res.error) return `could not run ${args.qforge}: ${res.error.message}`;
  if (res.status !== 0) {
    const firstLine = (res.stderr || res.stdout || '').trim().split('\n')[0];
    return `qforge exited with ${res.status === null ? res.signal : res.status}: ${firstLine}`;
  }
  return null;
}

function argmaxRows(t) {
  const [rows, cols] = t.dims;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; ++r) {
    let best = 0;
    for (let c = 1; c < cols; ++c) if (t.data[r * cols + c] > t.data[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

function pct(x) {
  return (100 * x).toFixed(2);
}

// Scalar float value of initializer `name`, following Identity nodes; null if there is none.
function scalarInit(g, name) {
  const producers = new Map();
  for (const n of g.nodes) for (const o of n.outputs) producers.set(o, n);
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  for (let hops = 0; !inits.has(name) && hops < 8; ++hops) {
    const p = producers.get(name);
    if (!p || p.opType !== 'Identity') break;
    name = p.inputs[0];
  }
  const t = inits.get(name);
  return t && t.floats && t.floats.length === 1 ? t.floats[0] : null;
}

const EXTRACT_PY = 'import sys, onnx.utils\n' +
                   'model, out_dir, inp = sys.argv[1:4]\n' +
                   'for i, name in enumerate(sys.argv[4:]):\n' +
                   '    onnx.utils.extract_model(model, f"{out_dir}/cut_{i}.onnx", [inp], [name])\n';

// --per-layer: cuts M after every QuantizeLinear -> DequantizeLinear pair (graph order), so that the
// dequantized tensor is the cut model's output, and compares qforge with ORT on each cut (first
// min(N, B) images). Locates the first tensor where the runtimes part. The cuts are made by
// onnx.utils.extract_model through /usr/bin/python3: writing ONNX protobuf here is not worth it.
async function perLayer(args) {
  const g = proto.loadModel(args.model);
  const session0 = await createSession(args.model, args.level);
  const inputName = session0.inputNames[0];
  const targets = [];
  for (const q of g.nodes) {
    if (q.opType !== 'QuantizeLinear') continue;
    const dq = g.nodes.find((n) => n.opType === 'DequantizeLinear' && n.inputs[0] === q.outputs[0]);
    const step = scalarInit(g, q.inputs[1]);
    if (!dq || step === null) continue;
    targets.push({name: dq.outputs[0], tensor: q.inputs[0], step});
  }
  if (targets.length === 0) {
    throw new UsageError('no QuantizeLinear -> DequantizeLinear pair with a scalar scale');
  }
  const name = path.basename(args.model).replace(/\.onnx$/, '');
  const workdir = args.workdir || fs.mkdtempSync(path.join(os.tmpdir(), `qforge-compare-quant-${name}-`));
  fs.mkdirSync(workdir, {recursive: true});
  const res = childProcess.spawnSync('/usr/bin/python3', ['-c', EXTRACT_PY, args.model, workdir, inputName,
                                                          ...targets.map((t) => t.name)], {encoding: 'utf8'});
  if (res.status !== 0) throw new Error(`extracting cut models failed: ${(res.stderr || '').trim()}`);
  const count = Math.min(args.images, args.batch);
  const input = floatBatch(loadFashion(args.offset, count).images, 0, count);
  const inputFile = path.join(workdir, 'input.npy');
  const outputFile = path.join(workdir, 'out.npy');
  npy.writeNpy(inputFile, input.type, input.dims, input.data);
  console.log(`model ${name}: per-layer, images=${count}, ${targets.length} quantized tensors`);
  let firstBad = null;
  for (let i = 0; i < targets.length; ++i) {
    const t = targets[i];
    const cut = path.join(workdir, `cut_${i}.onnx`);
    const ref = await runOrt(await createSession(cut, args.level), input);
    fs.rmSync(outputFile, {force: true});
    const failure = runQforge(args, inputFile, outputFile, cut);
    if (failure) {
      console.log(`  ${t.tensor}: ${failure}`);
      if (!firstBad) firstBad = t.tensor;
      continue;
    }
    const got = npy.readNpy(outputFile);
    if (got.data.length !== ref.data.length) {
      console.log(`  ${t.tensor}: qforge [${got.dims}] vs ORT [${ref.dims}]`);
      if (!firstBad) firstBad = t.tensor;
      continue;
    }
    let within = 0;
    let exact = 0;
    let maxDiff = 0;
    for (let k = 0; k < ref.data.length; ++k) {
      const d = Math.abs(got.data[k] - ref.data[k]) / t.step;
      if (d <= STEP_SLACK) within += 1;
      if (d < 0.5) exact += 1;
      maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    }
    const fraction = within / ref.data.length;
    const ok = fraction >= args.minFraction;
    if (!ok && !firstBad) firstBad = t.tensor;
    const equal = exact / ref.data.length;
    console.log(`  ${t.tensor}: step=${t.step.toExponential(4)}, equal=${equal.toFixed(5)}, ` +
                `within_1_step=${fraction.toFixed(5)}, max_diff_steps=${maxDiff.toFixed(2)}` +
                (ok ? '' : ', FAIL'));
  }
  console.log(firstBad ? `first tensor failing: ${firstBad}` : 'all tensors PASS');
  if (!args.keep && !args.workdir) fs.rmSync(workdir, {recursive: true, force: true});
  return firstBad ? 1 : 0;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.perLayer) return perLayer(args);
  const name = path.basename(args.model).replace(/\.onnx$/, '');
  const step = args.step === 'auto' ? outputStep(args.model) : args.step;
  const data = loadFashion(args.offset, args.images);
  const session = await createSession(args.model, args.level);
  const refSession = args.reference ? await createSession(args.reference, 'all') : null;
  const workdir = args.workdir || fs.mkdtempSync(path.join(os.tmpdir(), `qforge-compare-quant-${name}-`));
  fs.mkdirSync(workdir, {recursive: true});
  const inputFile = path.join(workdir, 'input.npy');
  const outputFile = path.join(workdir, 'out.npy');

  const s = {elements: 0, within: 0, maxDiff: 0, ortCorrect: 0, qfCorrect: 0, refCorrect: 0, agree: 0,
             ortMs: 0, qforgeMs: 0};
  const prefix = `model ${name}: images=${args.images}, step=${step.toExponential(4)}`;
  for (let start = 0; start < args.images; start += args.batch) {
    const count = Math.min(args.batch, args.images - start);
    const input = floatBatch(data.images, start, count);
    npy.writeNpy(inputFile, input.type, input.dims, input.data);
    fs.rmSync(outputFile, {force: true});
    let t0 = Date.now();
    const ref = await runOrt(session, input);
    s.ortMs += Date.now() - t0;
    if (ref.dims.length !== 2 || ref.dims[0] !== count) {
      throw new Error(`ORT output shape [${ref.dims}] is not [${count}, classes]`);
    }
    t0 = Date.now();
    const failure = runQforge(args, inputFile, outputFile);
    s.qforgeMs += Date.now() - t0;
    if (failure) {
      console.log(`${prefix}, batch at image ${args.offset + start}: ${failure}, FAIL`);
      console.log(`  input kept in ${workdir}`);
      return 1;
    }
    const got = npy.readNpy(outputFile);
    if (got.type !== ref.type || got.dims.join(',') !== ref.dims.join(',')) {
      console.log(`${prefix}, qforge output ${got.type} [${got.dims}] vs ORT ${ref.type} [${ref.dims}], ` +
                  'FAIL');
      console.log(`  input and output kept in ${workdir}`);
      return 1;
    }
    for (let i = 0; i < ref.data.length; ++i) {
      const d = Math.abs(got.data[i] - ref.data[i]);
      // NaN differences count as outside the step and as an infinite max.
      if (d <= step * STEP_SLACK) s.within += 1;
      s.maxDiff = Number.isNaN(d) ? Infinity : Math.max(s.maxDiff, d);
    }
    s.elements += ref.data.length;
    const aOrt = argmaxRows(ref);
    const aQf = argmaxRows(got);
    let aRef = null;
    if (refSession) aRef = argmaxRows(await runOrt(refSession, input));
    for (let r = 0; r < count; ++r) {
      const label = data.labels[start + r];
      s.ortCorrect += aOrt[r] === label ? 1 : 0;
      s.qfCorrect += aQf[r] === label ? 1 : 0;
      s.agree += aOrt[r] === aQf[r] ? 1 : 0;
      if (aRef) s.refCorrect += aRef[r] === label ? 1 : 0;
    }
    if (args.verbose) {
      console.error(`  images ${args.offset + start}..${args.offset + start + count - 1} done`);
    }
  }
  const fraction = s.within / s.elements;
  const top1Ort = s.ortCorrect / args.images;
  const top1Qf = s.qfCorrect / args.images;
  const top1Diff = 100 * Math.abs(top1Ort - top1Qf);
  // The slack keeps e.g. 2 images in 2000 (0.1 point) from failing --max-top1-diff 0.1 on float rounding.
  const top1Ok = top1Diff <= args.maxTop1Diff + 1e-9;
  const pass = fraction >= args.minFraction && top1Ok;
  console.log(`${prefix}, within_1_step=${fraction.toFixed(6)} (${s.within}/${s.elements}), ` +
              `max_diff_steps=${(s.maxDiff / step).toFixed(3)}, top1_ort=${pct(top1Ort)}%, ` +
              `top1_qforge=${pct(top1Qf)}%, top1_diff=${top1Diff.toFixed(2)} points, ` +
              `argmax_agree=${pct(s.agree / args.images)}%, ${pass ? 'PASS' : 'FAIL'}`);
  if (refSession) {
    const top1Ref = s.refCorrect / args.images;
    console.log(`  reference ${path.basename(args.reference)}: top1_ort=${pct(top1Ref)}%, ` +
                `quantized - reference = ${(100 * (top1Ort - top1Ref)).toFixed(2)} points (ORT)`);
  }
  console.log(`  time: ORT ${(s.ortMs / 1000).toFixed(1)} s, qforge ${(s.qforgeMs / 1000).toFixed(1)} s ` +
              `(${Math.ceil(args.images / args.batch)} runs of up to ${args.batch} images)`);
  if (!pass) {
    if (fraction < args.minFraction) {
      console.log(`  within_1_step ${fraction.toFixed(6)} < ${args.minFraction}`);
    }
    if (!top1Ok) {
      console.log(`  top1_diff ${top1Diff.toFixed(2)} > ${args.maxTop1Diff} points`);
    }
    console.log(`  last batch kept in ${workdir}`);
  } else if (!args.keep && !args.workdir) {
    fs.rmSync(workdir, {recursive: true, force: true});
  }
  return pass ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`compare_quant.js: ${err.message || err}`);
  process.exit(2);
});
