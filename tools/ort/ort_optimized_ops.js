#!/usr/bin/env node
// Prints the op types of ONNX Runtime's optimized graph of a model.
//
//   node ort_optimized_ops.js MODEL.onnx [--level disabled|basic|extended|all] [--json] [--keep FILE]
//
// Creates an onnxruntime-node CPU session (one thread) with
// graphOptimizationLevel LEVEL (default "all", the level at which ORT fuses
// DequantizeLinear -> op -> QuantizeLinear groups into QLinearConv,
// QLinearMatMul, QLinearAdd, ...) and optimizedModelFilePath set to a temp
// file, then decodes that file and prints one line per op type, sorted by
// name:
//
//   <count> <domain>:<op_type>      e.g.  "3 QLinearConv", "2 com.microsoft:QLinearAdd"
//
// (the default ONNX domain is printed without a prefix), or with --json one
// object {"ops": {"QLinearConv": 3, "com.microsoft:QLinearAdd": 2, ...},
// "nodes": N, "level": LEVEL}. Nodes inside subgraphs (If/Loop bodies) are
// counted too. Exit code 0 on success, 2 on usage or ORT errors.
//
// Why a hand-written protobuf decoder: the optimized file is an ONNX
// ModelProto, and only a handful of fields are needed (graph, node, op_type,
// domain, attributes' subgraphs). Decoding them here keeps the tool
// self-contained (no Python or protobuf package at test time). The decoder is
// also exported for compare_quant.js (initializers, node inputs/outputs).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require('onnxruntime-node');

// ---- Minimal protobuf wire-format reader --------------------------------
// Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.

function readVarint(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('protobuf: truncated varint');
    const b = buf[pos++];
    // Numbers above 2^53 lose precision; field tags, lengths and the small
    // enums read here never get there.
    result += (b & 0x7f) * Math.pow(2, shift);
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
    if (shift > 63) throw new Error('protobuf: varint too long');
  }
}

// Calls visit(fieldNumber, wireType, value) for each field of the message in
// buf[start, end). value is a number (varint), or a Buffer slice (length-
// delimited, fixed32, fixed64).
function forEachField(buf, visit, start = 0, end = buf.length) {
  let pos = start;
  while (pos < end) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value;
    if (wire === 0) {
      [value, pos] = readVarint(buf, pos);
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > end) throw new Error('protobuf: truncated fixed field');
      value = buf.subarray(pos, pos + n);
      pos += n;
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      if (pos + len > end) throw new Error('protobuf: truncated length-delimited field');
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
    visit(field, wire, value);
  }
}

// ---- ONNX messages (field numbers from onnx/onnx.proto) -----------------
// ModelProto: 7 graph.  GraphProto: 1 node, 5 initializer, 11 input, 12 output.
// NodeProto: 1 input, 2 output, 3 name, 4 op_type, 5 attribute, 7 domain.
// AttributeProto: 1 name, 6 g (graph), 11 graphs.  ValueInfoProto: 1 name.
// TensorProto: 1 dims, 2 data_type, 4 float_data, 8 name, 9 raw_data.

function decodeAttribute(buf) {
  const attr = {name: '', graphs: []};
  forEachField(buf, (f, w, v) => {
    if (f === 1 && w === 2) attr.name = v.toString('utf8');
    else if ((f === 6 || f === 11) && w === 2) attr.graphs.push(decodeGraph(v));
  });
  return attr;
}

function decodeNode(buf) {
  const node = {inputs: [], outputs: [], name: '', opType: '', domain: '', subgraphs: []};
  forEachField(buf, (f, w, v) => {
    if (w !== 2) return;
    if (f === 1) node.inputs.push(v.toString('utf8'));
    else if (f === 2) node.outputs.push(v.toString('utf8'));
    else if (f === 3) node.name = v.toString('utf8');
    else if (f === 4) node.opType = v.toString('utf8');
    else if (f === 7) node.domain = v.toString('utf8');
    else if (f === 5) node.subgraphs.push(...decodeAttribute(v).graphs);
  });
  return node;
}

const FLOAT = 1;

// Only what compare_quant.js needs: float scalars/vectors (raw_data or
// float_data), other types keep their raw bytes.
function decodeTensor(buf) {
  const t = {name: '', dims: [], dataType: 0, floats: null, raw: null};
  const floatData = [];
  forEachField(buf, (f, w, v) => {
    if (f === 1) {
      if (w === 0) t.dims.push(v);
      else if (w === 2) for (let p = 0; p < v.length;) { let d; [d, p] = readVarint(v, p); t.dims.push(d); }
    } else if (f === 2 && w === 0) {
      t.dataType = v;
    } else if (f === 4) {
      if (w === 5) floatData.push(v.readFloatLE(0));
      else if (w === 2) for (let p = 0; p + 4 <= v.length; p += 4) floatData.push(v.readFloatLE(p));
    } else if (f === 8 && w === 2) {
      t.name = v.toString('utf8');
    } else if (f === 9 && w === 2) {
      t.raw = v;
    }
  });
  if (t.dataType === FLOAT) {
    if (t.raw) {
      t.floats = [];
      for (let p = 0; p + 4 <= t.raw.length; p += 4) t.floats.push(t.raw.readFloatLE(p));
    } else {
      t.floats = floatData;
    }
  }
  return t;
}

function decodeGraph(buf) {
  const g = {nodes: [], initializers: [], inputs: [], outputs: []};
  forEachField(buf, (f, w, v) => {
    if (w !== 2) return;
    if (f === 1) g.nodes.push(decodeNode(v));
    else if (f === 5) g.initializers.push(decodeTensor(v));
    else if (f === 11 || f === 12) {
      let name = '';
      forEachField(v, (ff, ww, vv) => { if (ff === 1 && ww === 2) name = vv.toString('utf8'); });
      (f === 11 ? g.inputs : g.outputs).push(name);
    }
  });
  return g;
}

function decodeModel(buf) {
  let graph = null;
  forEachField(buf, (f, w, v) => { if (f === 7 && w === 2) graph = decodeGraph(v); });
  if (!graph) throw new Error('not an ONNX model (no graph)');
  return graph;
}

function loadModel(file) {
  return decodeModel(fs.readFileSync(file));
}

// {"domain:op" or "op": count} over the graph and all its subgraphs.
function countOps(graph, counts = {}) {
  for (const n of graph.nodes) {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    const key = domain ? `${domain}:${n.opType}` : n.opType;
    counts[key] = (counts[key] || 0) + 1;
    for (const g of n.subgraphs) countOps(g, counts);
  }
  return counts;
}

const LEVELS = ['disabled', 'basic', 'extended', 'all'];

// Returns the op counts of the graph ORT produces for modelPath at level.
async function optimizedOps(modelPath, level = 'all', keep = null) {
  const tmp = keep ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'ort-optimized-'));
  const out = keep || path.join(tmp, 'optimized.onnx');
  try {
    await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Level "all" with a file path always warns that NCHWc ops are machine specific: expected here.
      logSeverityLevel: 3,
      graphOptimizationLevel: level,
      optimizedModelFilePath: out,
    });
    return countOps(loadModel(out));
  } finally {
    if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
  }
}

function usage(msg) {
  if (msg) console.error(`ort_optimized_ops.js: ${msg}`);
  console.error('usage: node ort_optimized_ops.js MODEL.onnx [--level disabled|basic|extended|all] ' +
                '[--json] [--keep FILE]');
  process.exit(2);
}

async function main() {
  const argv = process.argv.slice(2);
  let model = null;
  let level = 'all';
  let json = false;
  let keep = null;
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--level' || a === '--keep') {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      if (a === '--level') level = argv[++i];
      else keep = argv[++i];
    } else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('--')) usage(`unknown flag ${a}`);
    else if (model === null) model = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!model) usage('missing MODEL');
  if (!LEVELS.includes(level)) usage(`--level must be one of ${LEVELS.join(', ')}`);
  const counts = await optimizedOps(model, level, keep);
  const keys = Object.keys(counts).sort();
  if (json) {
    const ops = {};
    for (const k of keys) ops[k] = counts[k];
    const nodes = keys.reduce((s, k) => s + counts[k], 0);
    console.log(JSON.stringify({ops, nodes, level}));
  } else {
    for (const k of keys) console.log(`${counts[k]} ${k}`);
  }
  return 0;
}

module.exports = {forEachField, readVarint, decodeModel, loadModel, countOps, optimizedOps};

if (require.main === module) {
  main().then((code) => process.exit(code), (err) => {
    console.error(`ort_optimized_ops.js: ${err.message || err}`);
    process.exit(2);
  });
}
