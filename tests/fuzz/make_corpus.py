#!/usr/bin/python3
"""Writes the TFLite reader's fuzz seed corpus (tests/fuzz/corpus/tflite).

Run once by hand when the schema or the reader's rules change; the output is
committed (small: a few KB). Valid seeds (valid_*.tflite, which
tests/unit/tflite_corpus_test.cc requires the reader to accept) are written
by flatc from JSON with the project's schema; hostile seeds (bad_*) break one
rule each, in the JSON or in the packed bytes, so the fuzzer starts next to
every check of the verifier. fuzz_* files are crash reproducers found by
scripts/fuzz.sh, committed as regression seeds; this script keeps them.

  /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import copy
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "src/io/tflite/tflite_schema.fbs")
OUT = os.path.join(ROOT, "tests/fuzz/corpus/tflite")


def floats(values):
    return list(struct.pack("<%df" % len(values), *values))


def ints(values):
    return list(struct.pack("<%di" % len(values), *values))


def code(name, number):
    return {"deprecated_builtin_code": min(number, 127), "builtin_code": name, "version": 1}


def conv_add_model():
    """input[1,4,4,2] -> CONV_2D(3x3, SAME, RELU) -> ADD(channel constant)."""
    w = [0.01 * (i % 17) - 0.08 for i in range(3 * 3 * 3 * 2)]
    return {
        "version": 3,
        "description": "qforge fuzz seed: conv + add",
        "operator_codes": [code("CONV_2D", 3), code("ADD", 0)],
        "buffers": [{}, {"data": floats(w)}, {"data": floats([0.1, -0.2, 0.3])},
                    {"data": floats([1.0, 2.0, -1.0])}],
        "subgraphs": [{
            "name": "main",
            "tensors": [
                {"name": "input", "shape": [1, 4, 4, 2], "type": "FLOAT32", "buffer": 0},
                {"name": "conv_w", "shape": [3, 3, 3, 2], "type": "FLOAT32", "buffer": 1},
                {"name": "conv_b", "shape": [3], "type": "FLOAT32", "buffer": 2},
                {"name": "conv_out", "shape": [1, 4, 4, 3], "type": "FLOAT32", "buffer": 0},
                {"name": "add_c", "shape": [3], "type": "FLOAT32", "buffer": 3},
                {"name": "output", "shape": [1, 4, 4, 3], "type": "FLOAT32", "buffer": 0},
            ],
            "inputs": [0],
            "outputs": [5],
            "operators": [
                {"opcode_index": 0, "inputs": [0, 1, 2], "outputs": [3],
                 "builtin_options_type": "Conv2DOptions",
                 "builtin_options": {"padding": "SAME", "stride_w": 1, "stride_h": 1,
                                     "fused_activation_function": "RELU"}},
                {"opcode_index": 1, "inputs": [3, 4], "outputs": [5],
                 "builtin_options_type": "AddOptions", "builtin_options": {}},
            ],
        }],
    }


def int8_fc_model():
    """float[1,8] -> QUANTIZE -> int8 FULLY_CONNECTED (per-channel weights) -> DEQUANTIZE."""
    w = [((i * 7) % 21) - 10 for i in range(4 * 8)]
    w_scales = [0.02, 0.03, 0.01, 0.04]
    return {
        "version": 3,
        "description": "qforge fuzz seed: int8 fully connected",
        "operator_codes": [code("QUANTIZE", 114), code("FULLY_CONNECTED", 9), code("DEQUANTIZE", 6)],
        "buffers": [{}, {"data": [v & 0xff for v in w]},
                    {"data": ints([10, -20, 30, 0])}],
        "subgraphs": [{
            "name": "main",
            "tensors": [
                {"name": "x", "shape": [1, 8], "type": "FLOAT32", "buffer": 0},
                {"name": "xq", "shape": [1, 8], "type": "INT8", "buffer": 0,
                 "quantization": {"scale": [0.05], "zero_point": [-3]}},
                {"name": "w", "shape": [4, 8], "type": "INT8", "buffer": 1,
                 "quantization": {"scale": w_scales, "zero_point": [0, 0, 0, 0],
                                  "quantized_dimension": 0}},
                {"name": "b", "shape": [4], "type": "INT32", "buffer": 2,
                 "quantization": {"scale": [0.05 * s for s in w_scales], "zero_point": [0, 0, 0, 0],
                                  "quantized_dimension": 0}},
                {"name": "yq", "shape": [1, 4], "type": "INT8", "buffer": 0,
                 "quantization": {"scale": [0.1], "zero_point": [2]}},
                {"name": "y", "shape": [1, 4], "type": "FLOAT32", "buffer": 0},
            ],
            "inputs": [0],
            "outputs": [5],
            "operators": [
                {"opcode_index": 0, "inputs": [0], "outputs": [1]},
                {"opcode_index": 1, "inputs": [1, 2, 3], "outputs": [4],
                 "builtin_options_type": "FullyConnectedOptions", "builtin_options": {}},
                {"opcode_index": 2, "inputs": [4], "outputs": [5]},
            ],
        }],
    }


def pool_reshape_model():
    """[1,6,6,2] -> MAX_POOL_2D 2x2/2 -> RESHAPE [1,18] -> LOGISTIC."""
    return {
        "version": 3,
        "description": "qforge fuzz seed: pool + reshape",
        "operator_codes": [code("MAX_POOL_2D", 17), code("RESHAPE", 22), code("LOGISTIC", 14)],
        "buffers": [{}, {"data": ints([1, 18])}],
        "subgraphs": [{
            "name": "main",
            "tensors": [
                {"name": "image", "shape": [1, 6, 6, 2], "type": "FLOAT32", "buffer": 0},
                {"name": "pooled", "shape": [1, 3, 3, 2], "type": "FLOAT32", "buffer": 0},
                {"name": "new_shape", "shape": [2], "type": "INT32", "buffer": 1},
                {"name": "flat", "shape": [1, 18], "type": "FLOAT32", "buffer": 0},
                {"name": "probs", "shape": [1, 18], "type": "FLOAT32", "buffer": 0},
            ],
            "inputs": [0],
            "outputs": [4],
            "operators": [
                {"opcode_index": 0, "inputs": [0], "outputs": [1],
                 "builtin_options_type": "Pool2DOptions",
                 "builtin_options": {"padding": "VALID", "stride_w": 2, "stride_h": 2,
                                     "filter_width": 2, "filter_height": 2}},
                {"opcode_index": 1, "inputs": [1, 2], "outputs": [3],
                 "builtin_options_type": "ReshapeOptions", "builtin_options": {"new_shape": [1, 18]}},
                {"opcode_index": 2, "inputs": [3], "outputs": [4]},
            ],
        }],
    }


def pack(model, tmp):
    src = os.path.join(tmp, "m.json")
    with open(src, "w") as f:
        json.dump(model, f)
    subprocess.run(["flatc", "-b", "-o", tmp, SCHEMA, src], check=True)
    with open(os.path.join(tmp, "m.tflite"), "rb") as f:
        return f.read()


def json_breaks(model):
    """(name, edit) pairs, each breaking one rule of the verifier."""
    def sg(m):
        return m["subgraphs"][0]

    def set_q(m, **q):
        sg(m)["tensors"][1]["quantization"] = q

    return [
        ("negative_shape", lambda m: sg(m)["tensors"][0].update(shape=[1, -4, 4, 2])),
        ("shape_overflow", lambda m: sg(m)["tensors"][0].update(shape=[1 << 30, 1 << 30, 16])),
        ("huge_shape", lambda m: sg(m)["tensors"][0].update(shape=[1 << 14, 1 << 14, 1 << 14, 2])),
        ("buffer_index", lambda m: sg(m)["tensors"][1].update(buffer=99)),
        ("input_index", lambda m: sg(m)["operators"][0].update(inputs=[0, 77])),
        ("opcode_index", lambda m: sg(m)["operators"][0].update(opcode_index=42)),
        ("two_writers", lambda m: sg(m)["operators"][-1].update(outputs=sg(m)["operators"][0]["outputs"])),
        ("short_buffer", lambda m: m["buffers"][1].update(data=m["buffers"][1]["data"][:5])),
        ("external_buffer", lambda m: m["buffers"][1].update(data=[], offset=1 << 40, size=64)),
        ("scale_count", lambda m: set_q(m, scale=[0.1, 0.2], zero_point=[0])),
        ("quantized_dimension", lambda m: set_q(m, scale=[0.1], zero_point=[0], quantized_dimension=9)),
        ("scale_zero", lambda m: set_q(m, scale=[0.0], zero_point=[0])),
        ("sparsity", lambda m: sg(m)["tensors"][1].update(sparsity={})),
        ("no_subgraph_outputs", lambda m: sg(m).update(outputs=[])),
        ("schema_version", lambda m: m.update(version=2)),
        ("custom_op", lambda m: m["operator_codes"][0].update(
            builtin_code="CUSTOM", deprecated_builtin_code=32, custom_code="Fancy")),
    ]


def byte_breaks(data, rng):
    out = []
    b = bytearray(data)
    root = struct.unpack_from("<I", b, 0)[0]
    t = bytearray(b)
    struct.pack_into("<I", t, 0, len(b) + 64)
    out.append(("root_offset", bytes(t)))
    t = bytearray(b)
    struct.pack_into("<i", t, root, 0x7ffffff0)
    out.append(("vtable_offset", bytes(t)))
    t = bytearray(b)
    t[4:8] = b"TFL2"
    out.append(("identifier", bytes(t)))
    out.append(("truncated_half", bytes(b[:len(b) // 2])))
    out.append(("truncated_tail", bytes(b[:-3])))
    for k in range(3):
        t = bytearray(b)
        for _ in range(4):
            t[rng.randrange(len(t))] = rng.randrange(256)
        out.append(("flips%d" % k, bytes(t)))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if not f.startswith("fuzz_"):  # fuzz_*: reproducers the fuzzer found, kept
            os.remove(os.path.join(OUT, f))
    rng = random.Random(4)
    models = {"conv_add": conv_add_model(), "int8_fc": int8_fc_model(), "pool_reshape": pool_reshape_model()}
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in models.items():
            data = pack(model, tmp)
            with open(os.path.join(OUT, "valid_%s.tflite" % name), "wb") as f:
                f.write(data)
            for bname, data_b in byte_breaks(data, rng):
                with open(os.path.join(OUT, "bad_%s_%s.tflite" % (name, bname)), "wb") as f:
                    f.write(data_b)
            if name != "conv_add":
                continue
            for bname, edit in json_breaks(model):
                m = copy.deepcopy(model)
                edit(m)
                with open(os.path.join(OUT, "bad_%s_%s.tflite" % (name, bname)), "wb") as f:
                    f.write(pack(m, tmp))
        with open(os.path.join(OUT, "bad_empty.tflite"), "wb") as f:
            f.write(b"")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("%d seeds, %d bytes in %s" % (len(os.listdir(OUT)), total, OUT))


if __name__ == "__main__":
    sys.exit(main())
