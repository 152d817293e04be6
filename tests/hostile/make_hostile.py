#!/usr/bin/python3
"""Writes the hostile file suite of issue 12 (tests/hostile/cases.txt runs it).

Every class of hostile input the issue lists gets one small file. The small
files are committed under tests/data/hostile/suite/ (a few KB in all); rerun
this by hand only when a case changes:

  /usr/bin/python3 tests/hostile/make_hostile.py

Files that are big by nature (a 200k-node graph, compression bombs that
inflate to 5 GiB, a 64 MiB external-data file) are written at test time into
the runner's scratch folder, fast (bombs repeat one deflate block, the
external file is sparse):

  /usr/bin/python3 tests/hostile/make_hostile.py --big DIR
"""
import argparse
import ctypes
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUITE = os.path.join(ROOT, "tests/data/hostile/suite")
SCHEMA = os.path.join(ROOT, "src/io/tflite/tflite_schema.fbs")
BIG = 1 << 31
# Bombs inflate to 3.5 GiB: under the readers' 4 GiB array cap, so only
# streaming (inflating no more than the samples asked for) passes the memory
# limit the runner sets for them.
BOMB_BYTES = 7 << 29


def save(model, path, opset=13):
    if not model.opset_import:
        model.opset_import.append(helper.make_opsetid("", opset))
    model.ir_version = 8
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def graph(nodes, inputs, outputs, inits=(), name="hostile"):
    return helper.make_model(helper.make_graph(nodes, name, inputs, outputs, list(inits)),
                             opset_imports=[helper.make_opsetid("", 13)])


def i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def f32(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def out(name, dims=None):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def tiny_classifier():
    """x float[N,1,8,8] -> Flatten -> MatMul [64,10] -> y[N,10]: feeds the data cases."""
    w = (np.arange(640, dtype=np.float32).reshape(64, 10) % 7 - 3) / 10
    return graph([helper.make_node("Flatten", ["x"], ["f"], name="flat"),
                  helper.make_node("MatMul", ["f", "w"], ["y"], name="fc")],
                 [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
                 [out("y", ["N", 10])], [numpy_helper.from_array(w, "w")])


def model_cases():
    """name -> ModelProto of every ONNX model case."""
    m = {}
    m["constantofshape_2p31"] = graph(
        [helper.make_node("ConstantOfShape", ["s"], ["y"], name="c1",
                          value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0]))],
        [], [out("y")], [i64("s", [BIG, BIG])])
    m["expand_2p31"] = graph([helper.make_node("Expand", ["one", "s"], ["y"], name="e1")], [], [out("y")],
                             [f32("one", [1.0]), i64("s", [BIG, BIG])])
    m["tile_huge"] = graph([helper.make_node("Tile", ["a", "r"], ["y"], name="t1")], [], [out("y")],
                           [f32("a", [[1.0]]), i64("r", [1 << 16, 1 << 16])])
    m["pad_huge"] = graph([helper.make_node("Pad", ["a", "p"], ["y"], name="p1")], [], [out("y")],
                          [f32("a", [[1.0]]), i64("p", [0, 0, 1 << 16, 1 << 16])])
    m["resize_2p40"] = graph(
        [helper.make_node("Resize", ["x", "", "", "sz"], ["y"], name="r1", mode="nearest")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 2])], [out("y")],
        [i64("sz", [1, 1, 1 << 40, 1 << 40])])
    prelu = graph([helper.make_node("PRelu", ["x"], ["y"], name="pr1")],
                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 2, 2])], [out("y")])
    prelu.opset_import[0].version = 6
    m["prelu_opset6_one_input"] = prelu
    m["io_huge_dims"] = graph([helper.make_node("Relu", ["x"], ["y"], name="relu1")],
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [BIG, BIG])],
                              [out("y", [BIG, BIG])])
    # 512 MiB in, 512 MiB out, 6e11 multiply-adds: folding it takes hours.
    fill = helper.make_tensor("v", TensorProto.FLOAT, [1], [0.5])
    m["conv_const_fold"] = graph(
        [helper.make_node("ConstantOfShape", ["xs"], ["x"], name="cx", value=fill),
         helper.make_node("ConstantOfShape", ["ws"], ["w"], name="cw", value=fill),
         helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])],
        [], [out("y")], [i64("xs", [1, 512, 512, 512]), i64("ws", [512, 512, 3, 3])])
    # Six outputs of 1 GiB each: each is under the per-tensor cap, together over the budget.
    nodes, outs = [], []
    for k in range(6):
        nodes.append(helper.make_node("ConstantOfShape", ["s"], ["y%d" % k], name="c%d" % k,
                                      value=helper.make_tensor("v", TensorProto.FLOAT, [1], [float(k)])))
        outs.append(out("y%d" % k))
    m["total_budget"] = graph(nodes, [], outs, [i64("s", [1 << 28])])
    m["gap_zero_dim"] = graph([helper.make_node("GlobalAveragePool", ["x"], ["y"], name="gap")],
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 0, 4])],
                              [out("y", [1, 3, 1, 1])])
    m["stride_2p31m1"] = graph(
        [helper.make_node("MaxPool", ["x"], ["y"], name="mp", kernel_shape=[2, 2],
                          strides=[2147483647, 2147483647])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])], [out("y")])
    m["nan_scale_qdq"] = graph(
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q1"),
         helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq1")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])], [out("y", [1, 4])],
        [f32("s", float("nan")), numpy_helper.from_array(np.array(0, dtype=np.int8), "z")])
    return m


def tflite_pad_huge():
    """TFLite float[1,1] -> PAD by [[0, 65535], [0, 65535]]: a 16 GiB output. (The
    TFLite reader has no TILE; PAD is its op that multiplies a size by a file's numbers.)"""
    paddings = [0, (1 << 16) - 1, 0, (1 << 16) - 1]
    return {
        "version": 3,
        "operator_codes": [{"deprecated_builtin_code": 34, "builtin_code": "PAD", "version": 1}],
        "buffers": [{}, {"data": list(struct.pack("<f", 1.0))},
                    {"data": list(struct.pack("<4i", *paddings))}],
        "subgraphs": [{
            "tensors": [
                {"name": "x", "shape": [1, 1], "type": "FLOAT32", "buffer": 0},
                {"name": "paddings", "shape": [2, 2], "type": "INT32", "buffer": 2},
                {"name": "y", "shape": [1 << 16, 1 << 16], "type": "FLOAT32", "buffer": 0},
            ],
            "inputs": [0], "outputs": [2],
            "operators": [{"opcode_index": 0, "inputs": [0, 1], "outputs": [2],
                           "builtin_options_type": "PadOptions", "builtin_options": {}}],
        }],
    }


def write_tflite(model, path):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "m.json")
        with open(src, "w") as f:
            json.dump(model, f)
        subprocess.run(["flatc", "-b", "-o", tmp, SCHEMA, src], check=True)
        with open(os.path.join(tmp, "m.tflite"), "rb") as f:
            data = f.read()
    with open(path, "wb") as f:
        f.write(data)


def zip_member(name, data, crc=None, method=8):
    """One-member .zip (an .npz) with a deflated member; `crc` overrides the real CRC."""
    body = zlib.compress(data, 9)[2:-4] if method == 8 else data
    crc = zlib.crc32(data) if crc is None else crc
    return zip_raw(name.encode(), body, crc, len(data), method)


def zip_raw(name, body, crc, size, method=8):
    zip64 = size >= 0xFFFFFFFF or len(body) >= 0xFFFFFFFF
    extra = struct.pack("<HHQQ", 1, 16, size, len(body)) if zip64 else b""
    usize, csize = (0xFFFFFFFF, 0xFFFFFFFF) if zip64 else (size, len(body))
    ver = 45 if zip64 else 20
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, ver, 0, method, 0, 0x21, crc, csize, usize,
                        len(name), len(extra)) + name + extra
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, ver, ver, 0, method, 0, 0x21, crc, csize, usize,
                          len(name), len(extra), 0, 0, 0, 0, 0) + name + extra
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + end


def npy_header(dtype, shape):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        dtype, "".join("%d, " % s for s in shape))
    pad = 64 - (10 + len(d) + 1) % 64
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d) + pad + 1) + d.encode() + b" " * pad + b"\n"


def npy(array):
    return npy_header(array.dtype.str, array.shape) + array.tobytes()


def pgm(w, h, pixels):
    return b"P5\n%d %d\n255\n" % (w, h) + pixels


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def data_cases(d):
    rng = np.random.default_rng(12)
    x = rng.random((4, 1, 8, 8), dtype=np.float32)
    write(os.path.join(d, "x4.npy"), npy(x))
    write(os.path.join(d, "rows4.npy"), npy(rng.random((4, 4), dtype=np.float32)))
    write(os.path.join(d, "labels4.npy"), npy(np.array([0, 1, 2, 3], dtype=np.int64)))
    write(os.path.join(d, "labels5_extra.npy"), npy(np.array([0, 1, 2, 3, 4], dtype=np.int64)))
    write(os.path.join(d, "labels10.npy"), npy(np.arange(10, dtype=np.int64)))
    member = npy(x)
    write(os.path.join(d, "bad_crc.npz"), zip_member("x.npy", member, crc=zlib.crc32(member) ^ 0x5A5A5A5A))
    # Truncated images: a class folder each (image folders are read by class).
    write(os.path.join(d, "img_truncated_pgm/c0/a.pgm"), pgm(8, 8, bytes(range(10))))
    write(os.path.join(d, "img_huge_pgm/c0/a.pgm"), pgm(16384, 16384, bytes(64)))
    import torch
    from torchvision.io import encode_jpeg
    jpeg = bytes(encode_jpeg(torch.arange(64, dtype=torch.uint8).reshape(1, 8, 8), quality=90).numpy())
    write(os.path.join(d, "img_truncated_jpeg/c0/a.jpg"), jpeg[:len(jpeg) // 2])
    # A stats file whose version number overflows a double.
    head = '{"format": "qforge-calibration-stats", "version": 1e999, "samples": 1, "histogram_bins": 2048, '
    write(os.path.join(d, "stats_1e999.json"), (head + '"tensors": {}}\n').encode())


def external_80x(d):
    """80 initializers, each the whole of one 64 MiB external file (5 GiB in all)."""
    inits = []
    for k in range(80):
        t = TensorProto(name="w%d" % k, data_type=TensorProto.FLOAT, dims=[16 << 20])
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", "weights.bin"), ("offset", "0"), ("length", str(64 << 20))):
            e = t.external_data.add()
            e.key, e.value = key, value
        inits.append(t)
    # Concat (an op qforge reads): the readers name unsupported ops before reading any data.
    cat = helper.make_node("Concat", [t.name for t in inits], ["y"], name="cat", axis=0)
    save(graph([cat], [], [out("y")], inits), os.path.join(d, "external_80x.onnx"))


def external_small(d):
    """y = x + w, w (16 floats) in the external data file ext_small_w.onnx."""
    t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1, 16])
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "ext_small_w.onnx"), ("offset", "0"), ("length", "64")):
        e = t.external_data.add()
        e.key, e.value = key, value
    add = helper.make_node("Add", ["x", "w"], ["y"], name="add")
    save(graph([add], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])], [out("y", [1, 16])], [t]),
         os.path.join(d, "ext_small.onnx"))
    write(os.path.join(d, "ext_small_w.onnx"), struct.pack("<16f", *range(16)))


def write_suite(d):
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        p = os.path.join(d, f)
        if os.path.isfile(p):
            os.remove(p)
    save(tiny_classifier(), os.path.join(d, "tiny.onnx"))
    for name, model in model_cases().items():
        save(model, os.path.join(d, name + ".onnx"), model.opset_import[0].version)
    write_tflite(tflite_pad_huge(), os.path.join(d, "pad_huge.tflite"))
    external_80x(d)
    external_small(d)
    data_cases(d)


def crc_with_zeros(prefix, total):
    """CRC-32 of `prefix` then `total` zero bytes via zlib's crc32_combine (no pass over GBs)."""
    z = ctypes.CDLL("libz.so.1")
    z.crc32_combine.restype = ctypes.c_ulong
    z.crc32_combine.argtypes = [ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long]
    crc, step, step_crc = zlib.crc32(prefix), 1 << 20, zlib.crc32(bytes(1 << 20))
    crc = zlib.crc32(bytes(total % step), crc)
    total -= total % step
    while total:  # binary: the crc of 2^k MiB of zeros is that of 2^(k-1) MiB combined with itself
        if total & step:
            crc = z.crc32_combine(crc, step_crc, step)
            total -= step
        step_crc = z.crc32_combine(step_crc, step_crc, step)
        step <<= 1
    return crc


def write_big(d):
    os.makedirs(d, exist_ok=True)
    # 200k Relu nodes in a chain.
    n = 200000
    nodes = [helper.make_node("Relu", ["v%d" % k], ["v%d" % (k + 1)], name="r%d" % k) for k in range(n)]
    save(graph(nodes, [helper.make_tensor_value_info("v0", TensorProto.FLOAT, [1, 4])], [out("v%d" % n, [1, 4])]),
         os.path.join(d, "many_nodes.onnx"))
    # npz bomb: float32[N,1,8,8] of zeros, 3.5 GiB inflated from 3.6 MB.
    samples = (BOMB_BYTES - 128) // 256
    header = npy_header("<f4", (samples, 1, 8, 8))
    zeros = samples * 256
    body = stored_block(header) + zero_deflate_exact(zeros)
    crc = crc_with_zeros(header, zeros)
    with open(os.path.join(d, "bomb.npz"), "wb") as f:
        f.write(zip_raw(b"x.npy", body, crc, len(header) + zeros))
    # gzip IDX bomb: uint8[N,8,8] of zeros, 3.5 GiB.
    idx_n = BOMB_BYTES // 64
    idx_head = struct.pack(">BBBBIII", 0, 0, 8, 3, idx_n, 8, 8)
    size = len(idx_head) + idx_n * 64
    gz_crc = crc_with_zeros(idx_head, idx_n * 64)
    with open(os.path.join(d, "bomb-idx3-ubyte.gz"), "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
        f.write(stored_block(idx_head) + zero_deflate_exact(idx_n * 64))
        f.write(struct.pack("<II", gz_crc, size & 0xFFFFFFFF))
    # A stats file with an array nested 100k deep (200 KB, so made here).
    # (as the version: the error message that quotes it must not recurse 100k deep)
    deep = '{"format": "qforge-calibration-stats", "version": ' + "[" * 100000 + "]" * 100000 + \
           ', "samples": 1, "histogram_bins": 2048, "tensors": {}}\n'
    write(os.path.join(d, "stats_deep.json"), deep.encode())
    # The 80x model's external file: 64 MiB, sparse (no disk blocks).
    with open(os.path.join(d, "weights.bin"), "wb") as f:
        f.truncate(64 << 20)


def stored_block(data):
    """A non-final stored deflate block holding `data` (< 64 KiB), byte-aligned."""
    return struct.pack("<BHH", 0, len(data), len(data) ^ 0xFFFF) + data


def zero_deflate_exact(total):
    """Raw deflate of exactly `total` zeros (MiB multiple plus a tail), final block last."""
    chunk = 1 << 20
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a full flush must make the blocks identical"
    tail = c.compress(bytes(total % chunk)) + c.flush()
    return block * (total // chunk) + tail


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--big", help="write the big files (generated at test time) into this folder")
    a = p.parse_args()
    if a.big:
        write_big(a.big)
    else:
        write_suite(SUITE)
        total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(SUITE) for f in fs)
        print("%d bytes in %s" % (total, SUITE))


if __name__ == "__main__":
    sys.exit(main())
