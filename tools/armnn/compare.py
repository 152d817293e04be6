#!/usr/bin/python3
"""Data preparation and output comparison for tests/models/run_armnn_check.sh.

    compare.py prep --images N --out X.npy [--labels-out L.npy] [--quantize-for M.tflite] [--nhwc]
        The first N Fashion-MNIST test images as float32 x/255, [N, 1, 28, 28] (the
        training preprocessing, models/*.json), or [N, 28, 28, 1] with --nhwc (TFLite's
        layout, what `qforge run` takes for a .tflite); with --quantize-for, quantized with
        the scale and zero point of M's (int8/uint8) input.
    compare.py compare --name NAME --armnn A.npy --qforge Q.npy --mode float|quant
                       [--model M.tflite | --step S] [--labels L.npy] [--rel-tol T] [--min-fraction F]
                       [--steps K]
        float: PASS iff every |a - q| <= T * max(1, |q|) (T = FLOAT_REL_TOL, 1e-4: float
        kernels that sum in a different order stay far below it; layout or weight
        permutation slips are far above it).
        quant: the outputs' quantization step comes from M (an int8/uint8 output: its own
        units; a float output made by DEQUANTIZE: that op's input scale; another float
        output: the float rule) or --step; PASS iff
        |a - q| <= K steps (default 1) * 1.001 on >= F of the elements (F = 0.999; the 0.1%
        slack on the step absorbs float rounding of dequantized values).
        Prints one line: "armnn NAME: ..." and exits 0 on PASS, 1 on FAIL, 2 on bad input.
"""
import argparse
import gzip
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_json  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
FLOAT_REL_TOL = 1e-4
MIN_FRACTION = 0.999
STEP_SLACK = 1.001


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if int.from_bytes(raw[0:4], "big") != magic:
        raise ValueError(f"{path}: not an IDX uint8 file of the expected rank")
    return raw


def prep(args):
    images = read_idx(os.path.join(DATA_DIR, "t10k-images-idx3-ubyte.gz"), 0x803)
    labels = read_idx(os.path.join(DATA_DIR, "t10k-labels-idx1-ubyte.gz"), 0x801)
    n = args.images
    available = int.from_bytes(images[4:8], "big")
    if n < 1 or n > available:
        raise ValueError(f"--images must be in [1, {available}]")
    px = np.frombuffer(images, dtype=np.uint8, offset=16, count=n * 784).reshape(n, 1, 28, 28)
    x = (px.astype(np.float32) / np.float32(255)).astype(np.float32)
    if args.quantize_for:
        t = tflite_json.input_tensor(tflite_json.decode(args.quantize_for))
        q = t.get("quantization", {})
        types = {"INT8": (np.int8, -128, 127), "UINT8": (np.uint8, 0, 255)}
        if t.get("type", "FLOAT32") not in types or not q.get("scale"):
            raise ValueError(f"{args.quantize_for}: input is not a quantized int8/uint8 tensor")
        dtype, lo, hi = types[t["type"]]
        scale, zp = float(q["scale"][0]), int(q.get("zero_point", [0])[0])
        x = np.clip(np.round(x / np.float32(scale)) + zp, lo, hi).astype(dtype)
    if args.nhwc:
        x = np.ascontiguousarray(np.transpose(x, (0, 2, 3, 1)))
    np.save(args.out, x)
    if args.labels_out:
        np.save(args.labels_out, np.frombuffer(labels, dtype=np.uint8, offset=8, count=n).astype(np.int64))


def top1(y, labels):
    return 100.0 * float(np.mean(np.argmax(y.reshape(y.shape[0], -1), axis=1) == labels[: y.shape[0]]))


def compare(args):
    a = np.load(args.armnn)
    q = np.load(args.qforge)
    if a.size != q.size:
        print(f"armnn {args.name}: FAIL: shapes differ, Arm NN {list(a.shape)} vs qforge {list(q.shape)}")
        return 1
    q = q.reshape(a.shape)
    extra = ""
    if args.labels:
        labels = np.load(args.labels)
        extra = f", top1 armnn {top1(a, labels):.2f}% qforge {top1(q, labels):.2f}%"
    step, integer = args.step, False
    if args.mode == "quant" and step is None:
        step, integer = tflite_json.output_step(tflite_json.decode(args.model))
        if step is None:
            # A float output in a quantized model (a float island, or a cut before a float op): both
            # runtimes compute it in float from the same dequantized values, so the float rule applies.
            args.mode = "float"
            extra += ", float output: float rule"
    if args.mode == "float":
        a64, q64 = a.astype(np.float64), q.astype(np.float64)
        rel = np.abs(a64 - q64) / np.maximum(1.0, np.abs(q64))
        ok = bool(np.all(rel <= args.rel_tol)) and np.all(np.isfinite(a64))
        print(f"armnn {args.name}: max rel diff {rel.max():.3g} (tolerance {args.rel_tol:g} relative to "
              f"max(1,|qforge|)) on {a.size} elements{extra}, {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    diff = np.abs(a.astype(np.float64) - q.astype(np.float64)) / step
    within = float(np.mean(diff <= args.steps * (1.0 if integer else STEP_SLACK)))
    ok = within >= args.min_fraction
    unit = "1 step" if args.steps == 1 else f"{args.steps:g} steps"
    print(f"armnn {args.name}: {100 * within:.2f}% within {unit} (need {100 * args.min_fraction:.1f}%), "
          f"max diff {diff.max():.3g} step(s) of {step:g} on {a.size} elements{extra}, "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prep")
    pp.add_argument("--images", type=int, required=True)
    pp.add_argument("--out", required=True)
    pp.add_argument("--labels-out")
    pp.add_argument("--quantize-for")
    pp.add_argument("--nhwc", action="store_true")
    pc = sub.add_parser("compare")
    pc.add_argument("--name", required=True)
    pc.add_argument("--armnn", required=True)
    pc.add_argument("--qforge", required=True)
    pc.add_argument("--mode", choices=["float", "quant"], required=True)
    pc.add_argument("--model")
    pc.add_argument("--step", type=float)
    pc.add_argument("--labels")
    pc.add_argument("--rel-tol", type=float, default=FLOAT_REL_TOL)
    pc.add_argument("--min-fraction", type=float, default=MIN_FRACTION)
    pc.add_argument("--steps", type=float, default=1.0)
    args = p.parse_args()
    try:
        if args.cmd == "prep":
            prep(args)
            return 0
        if args.mode == "quant" and args.step is None and not args.model:
            raise ValueError("quant mode needs --model or --step")
        return compare(args)
    except (ValueError, OSError) as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
