#!/usr/bin/env node
// Runs ONNX backend test cases in ONNX Runtime twice: the original model and
// the .onnx that `qforge convert` wrote from it, each against the case's
// expected outputs (the backend tests' tolerance: |a - b| <= atol + rtol*|b|,
// rtol 1e-3, atol 1e-7; NaN matches NaN).
//
//   node backend_roundtrip.js MANIFEST.json
//
// MANIFEST: [{name, original, written, inputs: [npy...], expected: [npy...]}],
// inputs in graph-input order, expected in graph-output order; expected null:
// ONNX Runtime's outputs on the original are the expected ones (models made
// for opsets the backend test data does not have yet).
// Prints one line per case:
//   <name>: PASS                 both run and match
//   <name>: ORIGINAL-FAILS ...   ORT cannot run or match the original itself
//                                (not qforge's doing; counted, not failed)
//   <name>: FAIL ...             ORT runs the original but not qforge's file
// and exits 1 when any case FAILs.
'use strict';

const fs = require('fs');
const npy = require('./npy');
const runner = require('./ort_runner');

const RTOL = 1e-3;
const ATOL = 1e-7;

function mismatch(out, want) {
  if (out.type !== want.type) return `dtype ${out.type}, expected ${want.type}`;
  if (out.dims.join(',') !== want.dims.join(',')) return `shape [${out.dims}], expected [${want.dims}]`;
  for (let i = 0; i < want.data.length; ++i) {
    const a = Number(out.data[i]);
    const b = Number(want.data[i]);
    const ok = Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= ATOL + RTOL * Math.abs(b);
    if (!ok) return `element ${i}: ${a}, expected ${b}`;
  }
  return null;
}

// Runs `model`; the outputs, or a one-line reason it did not run.
async function run(model, inputs) {
  let session;
  try {
    session = await runner.createSession(model);
  } catch (e) {
    return `ORT refuses the file: ${String(e.message || e).split('\n')[0]}`;
  }
  try {
    return await runner.runSession(session, inputs);
  } catch (e) {
    return `ORT run fails: ${String(e.message || e).split('\n')[0]}`;
  }
}

// null when `model` runs and gives `expected`, else why not.
async function check(model, inputs, expected) {
  const outputs = await run(model, inputs);
  if (typeof outputs === 'string') return outputs;
  if (outputs.length !== expected.length) return `${outputs.length} outputs, expected ${expected.length}`;
  for (let k = 0; k < outputs.length; ++k) {
    const m = mismatch(outputs[k], expected[k]);
    if (m) return `output '${outputs[k].name}': ${m}`;
  }
  return null;
}

async function main() {
  if (process.argv.length !== 3) {
    console.error('usage: node backend_roundtrip.js MANIFEST.json');
    process.exit(2);
  }
  const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const counts = {PASS: 0, 'ORIGINAL-FAILS': 0, FAIL: 0};
  for (const c of cases) {
    const inputs = c.inputs.map((p) => npy.readNpy(p));
    const expected = c.expected ? c.expected.map((p) => npy.readNpy(p)) : await run(c.original, inputs);
    const original = typeof expected === 'string' ? expected : await check(c.original, inputs, expected);
    let verdict = 'PASS';
    let why = '';
    if (original) {
      verdict = 'ORIGINAL-FAILS';
      why = original;
    } else {
      const written = await check(c.written, inputs, expected);
      if (written) {
        verdict = 'FAIL';
        why = written;
      }
    }
    ++counts[verdict];
    console.log(`${c.name}: ${verdict}${why ? ' (' + why + ')' : ''}`);
  }
  console.log(`backend round trip through ONNX Runtime: ${counts.PASS} pass, ${counts.FAIL} fail, ` +
              `${counts['ORIGINAL-FAILS']} that ONNX Runtime fails on the original too`);
  process.exit(counts.FAIL > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(`backend_roundtrip.js: ${err.stack || err}`);
  process.exit(2);
});
