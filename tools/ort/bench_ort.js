#!/usr/bin/env node
// Latency and throughput of ONNX Runtime (onnxruntime-node, CPU) on one
// model, measured the way `qforge bench` measures qforge.
//
//   node bench_ort.js MODEL.onnx [--threads N] [--runs R] [--warmup W] [--batch B]
//                     [--input-shape D0,D1,...]... [--level all|extended|basic|disabled] [--no-qdq-int8]
//
// Session: intraOpNumThreads = N (default: the number of cores),
// interOpNumThreads = 1, sequential execution, graphOptimizationLevel LEVEL
// (default "all", under which ORT fuses DequantizeLinear -> op ->
// QuantizeLinear groups into integer QLinear* kernels), and the session config
// entry session.qdqisint8allowed = 1: without it ORT on x86 rewrites int8 Q/DQ
// pairs to uint8 and leaves some int8-activation groups in float; uint8 and
// float models are unaffected, so it is set for every model. --no-qdq-int8
// leaves it unset (ORT's default config). On int8-activation models the two
// differ a lot in speed: see docs/performance.md.
//
// Inputs are random, as in `qforge bench`: float uniform [0, 1), int8/uint8
// uniform over the whole range, other types zeros. Dynamic dims: the first
// (batch) dim is 1 for the latency runs and B for the throughput runs; any
// other dynamic dim needs --input-shape (one per input, in order).
//
// Prints the same lines as `qforge bench`, the last one being
//   bench_result runtime=ort model=M threads=N runs=R median_ms=.. p90_ms=.. min_ms=.. batch8_ips=..
//   peak_rss_mb=..
// (batch<B>_ips; "na" when the batch dim is fixed; absent with --batch 0).
// Exit code 0 on success, 2 on usage errors, 1 when ORT fails.
'use strict';

const os = require('os');
const ort = require('onnxruntime-node');

const LEVELS = ['disabled', 'basic', 'extended', 'all'];

class UsageError extends Error {}

function usage(msg) {
  if (msg) console.error(`bench_ort.js: ${msg}`);
  console.error(
      'usage: node bench_ort.js MODEL.onnx [--threads N] [--runs R] [--warmup W] [--batch B]\n' +
      '         [--input-shape D0,D1,...]... [--level all|extended|basic|disabled] [--no-qdq-int8]');
  process.exit(2);
}

function parseIntFlag(flag, text, min) {
  if (!/^[0-9]+$/.test(text || '') || Number(text) < min) {
    throw new UsageError(`${flag} needs an integer >= ${min}, got '${text === undefined ? '' : text}'`);
  }
  return Number(text);
}

// '' is the shape of a scalar (rank 0), e.g. Silero VAD's sample rate.
function parseShape(text) {
  if (text === '') return [];
  const dims = text.split(/[,x]/).map((d) => parseIntFlag('--input-shape', d, 1));
  return dims;
}

function parseArgs(argv) {
  const args = {
    model: null,
    threads: os.cpus().length,
    runs: 30,
    warmup: 3,
    batch: 8,
    shapes: [],
    level: 'all',
    qdqInt8: true
  };
  const ints = {
    '--threads': ['threads', 1],
    '--runs': ['runs', 1],
    '--warmup': ['warmup', 0],
    '--batch': ['batch', 0]
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '-h' || a === '--help') usage();
    if (ints[a]) {
      const [key, min] = ints[a];
      args[key] = parseIntFlag(a, argv[++i], min);
    } else if (a === '--input-shape') {
      if (i + 1 >= argv.length) throw new UsageError('--input-shape needs a shape');
      args.shapes.push(parseShape(argv[++i]));
    } else if (a === '--level') {
      args.level = argv[++i];
      if (!LEVELS.includes(args.level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}`);
    } else if (a === '--no-qdq-int8') {
      args.qdqInt8 = false;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown flag ${a}`);
    } else if (args.model === null) {
      args.model = a;
    } else {
      throw new UsageError(`unexpected argument ${a}`);
    }
  }
  if (args.model === null) throw new UsageError('missing MODEL');
  return args;
}

// The batch-1 shape of every input (see the header comment).
function inputShapes(session, args) {
  const meta = session.inputMetadata;
  if (args.shapes.length > 0 && args.shapes.length !== meta.length) {
    throw new UsageError(
        `${args.model} takes ${meta.length} input(s), got ${args.shapes.length} --input-shape`);
  }
  return meta.map((m, i) => {
    if (!m.isTensor) throw new UsageError(`input '${m.name}' is not a tensor`);
    if (args.shapes.length > 0) {
      const dims = args.shapes[i];
      if (dims.length !== m.shape.length) {
        throw new UsageError(
            `--input-shape: input '${m.name}' has rank ${m.shape.length}, not ${dims.length}`);
      }
      m.shape.forEach((d, k) => {
        if (typeof d === 'number' && d >= 0 && d !== dims[k]) {
          throw new UsageError(`--input-shape: input '${m.name}' dim ${k} is fixed at ${d}`);
        }
      });
      return dims;
    }
    return m.shape.map((d, k) => {
      if (typeof d === 'number' && d >= 0) return d;
      if (k === 0) return 1;
      throw new UsageError(`input '${m.name}' has dynamic dim ${k} (${d}): pass --input-shape`);
    });
  });
}

// Simple seeded generator (mulberry32) so runs are reproducible.
function makeRng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

function randomTensor(type, dims, rng) {
  const Ctor = ARRAYS[type];
  if (!Ctor) throw new UsageError(`input type ${type} is not supported by bench_ort.js`);
  const n = dims.reduce((p, d) => p * d, 1);
  const data = new Ctor(n);
  if (type === 'float32' || type === 'float64') {
    for (let i = 0; i < n; ++i) data[i] = rng();
  } else if (type === 'int8') {
    for (let i = 0; i < n; ++i) data[i] = Math.floor(rng() * 256) - 128;
  } else if (type === 'uint8') {
    for (let i = 0; i < n; ++i) data[i] = Math.floor(rng() * 256);
  }
  return new ort.Tensor(type, data, dims);
}

function describe(type, dims) {
  const how = type.startsWith('float') ? 'random uniform [0, 1)' :
                                         (type === 'int8' || type === 'uint8' ? 'random codes' : 'zeros');
  return `${type}[${dims.join(', ')}] (${how})`;
}

async function timeRuns(session, feeds, warmup, runs) {
  for (let i = 0; i < warmup; ++i) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < runs; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return ms;
}

// Same definitions as qforge bench: median (mean of the middle two for an
// even count), nearest-rank p90, min.
function summarize(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 === 1 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  const p90 = s[Math.max(Math.ceil(0.9 * n), 1) - 1];
  return {median, p90, min: s[0]};
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) usage(err.message);
    throw err;
  }
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: args.level,
    ...(args.qdqInt8 ? {extra: {session: {qdqisint8allowed: '1'}}} : {}),
  });
  const shapes = inputShapes(session, args);
  const rng = makeRng(12345);
  const feeds = {};
  console.log(`model: ${args.model}`);
  session.inputMetadata.forEach((m, i) => {
    feeds[m.name] = randomTensor(m.type, shapes[i], rng);
    console.log(`input: ${m.name} ${describe(m.type, shapes[i])}`);
  });
  console.log(
      `threads: ${args.threads} (intra-op; inter-op 1, optimization level ${args.level}, ` +
      `session.qdqisint8allowed ${args.qdqInt8 ? '1' : 'unset'})`);

  const s = summarize(await timeRuns(session, feeds, args.warmup, args.runs));
  console.log(
      `latency at batch 1 (${args.warmup} warm-up, ${args.runs} timed runs): median ${
          s.median.toFixed(3)} ms, ` +
      `p90 ${s.p90.toFixed(3)} ms, min ${s.min.toFixed(3)} ms`);

  let ipsField = '';
  if (args.batch > 0) {
    const key = `batch${args.batch}_ips=`;
    const fixed = session.inputMetadata.find((m) => m.shape.length === 0 || typeof m.shape[0] === 'number');
    if (fixed) {
      console.log(
          `throughput at batch ${args.batch}: not measured (input '${fixed.name}' has no dynamic batch dim)`);
      ipsField = ` ${key}na`;
    } else {
      const batched = {};
      session.inputMetadata.forEach((m, i) => {
        batched[m.name] = randomTensor(m.type, [args.batch, ...shapes[i].slice(1)], rng);
      });
      const b = summarize(await timeRuns(session, batched, args.warmup, args.runs));
      const ips = 1000 * args.batch / b.median;
      console.log(
          `throughput at batch ${args.batch} (${args.runs} timed runs): ${ips.toFixed(1)} images/s ` +
          `(median ${b.median.toFixed(3)} ms per batch)`);
      ipsField = ` ${key}${ips.toFixed(1)}`;
    }
  }
  // maxRSS is in KiB; it covers the whole node process (runtime, JS heap and ORT).
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`memory: peak resident ${peakRssMb.toFixed(1)} MiB (whole process)`);
  console.log(
      `bench_result runtime=ort model=${args.model} threads=${args.threads} runs=${args.runs} ` +
      `median_ms=${s.median.toFixed(3)} p90_ms=${s.p90.toFixed(3)} min_ms=${s.min.toFixed(3)}${ipsField} ` +
      `peak_rss_mb=${peakRssMb.toFixed(1)}`);
}

main().catch((err) => {
  if (err instanceof UsageError) usage(err.message);
  console.error(`bench_ort.js: ${err.message || err}`);
  process.exit(1);
});
