// Minimal .npy reader and writer (format versions 1-3 read, version 1 written).
//
// A .npy file is: the magic "\x93NUMPY", a major and minor version byte, the
// header length (uint16 LE in v1, uint32 LE in v2/v3), an ASCII Python dict
// literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with
// spaces and ending in '\n' so that the data starts 64-byte aligned, then the
// raw little-endian array data in C order.
'use strict';

const fs = require('fs');

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);  // \x93NUMPY
const ALIGN = 64;

// descr -> {type: ORT tensor type name, bytes, array constructor}. Bool is
// stored as one byte per element (0/1), like qforge does.
const DTYPES = {
  '<f4': {type: 'float32', bytes: 4, Array: Float32Array},
  '<f8': {type: 'float64', bytes: 8, Array: Float64Array},
  '<i8': {type: 'int64', bytes: 8, Array: BigInt64Array},
  '<i4': {type: 'int32', bytes: 4, Array: Int32Array},
  '|i1': {type: 'int8', bytes: 1, Array: Int8Array},
  '|u1': {type: 'uint8', bytes: 1, Array: Uint8Array},
  '|b1': {type: 'bool', bytes: 1, Array: Uint8Array},
};
// numpy also writes single-byte types with '<' or '=' on some platforms.
const DESCR_ALIASES = {'<i1': '|i1', '<u1': '|u1', '<b1': '|b1', 'i1': '|i1', 'u1': '|u1', 'b1': '|b1'};

function descrForType(type) {
  for (const [descr, info] of Object.entries(DTYPES)) {
    if (info.type === type) return descr;
  }
  throw new Error(`npy: unsupported tensor type '${type}'`);
}

// Returns {type, dims, data} where data is a typed array copy (aligned).
function parseNpy(buf, name = '<buffer>') {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error(`${name}: not a .npy file`);
  const major = buf[6];
  let headerLen;
  let offset;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new Error(`${name}: truncated header`);
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    throw new Error(`${name}: unsupported .npy version ${major}`);
  }
  if (offset + headerLen > buf.length) throw new Error(`${name}: truncated header`);
  const header = buf.toString('latin1', offset, offset + headerLen);
  const descrMatch = header.match(/'descr'\s*:\s*'([^']*)'/);
  const fortranMatch = header.match(/'fortran_order'\s*:\s*(True|False)/);
  const shapeMatch = header.match(/'shape'\s*:\s*\(([^)]*)\)/);
  if (!descrMatch || !fortranMatch || !shapeMatch) throw new Error(`${name}: malformed header ${header}`);
  if (fortranMatch[1] === 'True') throw new Error(`${name}: fortran_order arrays are not supported`);
  let descr = descrMatch[1];
  descr = DESCR_ALIASES[descr] || descr;
  const info = DTYPES[descr];
  if (!info) throw new Error(`${name}: unsupported dtype '${descrMatch[1]}'`);
  const dims = shapeMatch[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`${name}: bad shape entry '${s}'`);
    return Number(s);
  });
  const count = dims.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  const byteLen = count * info.bytes;
  if (buf.length - dataStart !== byteLen) {
    throw new Error(`${name}: expected ${byteLen} data bytes for shape (${dims}), found ${buf.length - dataStart}`);
  }
  // Copy into a fresh ArrayBuffer: the data offset need not be aligned for
  // the typed array, and callers may keep the array after buf is gone.
  const bytes = new Uint8Array(byteLen);
  bytes.set(buf.subarray(dataStart, dataStart + byteLen));
  return {type: info.type, dims, data: new info.Array(bytes.buffer, 0, count)};
}

function readNpy(path) {
  return parseNpy(fs.readFileSync(path), path);
}

// Serializes {type, dims, data} as a v1 .npy buffer.
function formatNpy(type, dims, data) {
  const descr = descrForType(type);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`npy: ${data.length} elements for shape (${dims})`);
  const shapeText = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;  // +1 for the trailing '\n'
  header += ' '.repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + '\n';
  if (header.length > 0xffff) throw new Error('npy: header too long for format v1');
  const pre = Buffer.alloc(10);
  MAGIC.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  let body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (type === 'bool') body = Buffer.from(Array.from(data, (v) => (v ? 1 : 0)));
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

function writeNpy(path, type, dims, data) {
  fs.writeFileSync(path, formatNpy(type, dims, data));
}

module.exports = {parseNpy, readNpy, formatNpy, writeNpy, DTYPES};
