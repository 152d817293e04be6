"""qforge's .tflite files in LiteRT 2.5.3 (the TensorFlow Lite runtime,
npm @litertjs/core, WebAssembly + XNNPACK on the CPU) against `qforge run`
on the same file (issue 13/17: the .tflite oracle beyond Arm NN 20.08).

  /usr/bin/python3 tests/models/litert_check.py BUILD_DIR

For the bundled image models and tests/data/tflite_audio, writes a float
.tflite (`qforge convert`) and an int8 one (`qforge quantize --mode int8`),
runs both in LiteRT (tools/litert/run_litert.js) and in qforge, and compares.
Every case runs even if one fails; exit 0 iff all pass, 77 (skip) when
tools/litert/node_modules is not installed.

Tolerances:
  float: |litert - qforge| <= FLOAT_ATOL + FLOAT_RTOL * |qforge|. XNNPACK
    sums in another order (and with FMA): relative error ~1e-6, far inside
    1e-4; the absolute floor is for outputs that cancel to ~0.
  int8: at most INT8_STEPS steps of the output scale. LiteRT requantizes in
    fp32 (XNNPACK), qforge in TFLite's fixed point; 1 step apart on a
    fraction of a percent of elements per layer, and errors of two layers
    can add.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

FLOAT_RTOL = 1e-4
FLOAT_ATOL = 1e-5
INT8_STEPS = 2
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LITERT = os.path.join(ROOT, "tools", "litert")
AUDIO = os.path.join(ROOT, "tests", "data", "tflite_audio")


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}: {(proc.stderr or proc.stdout).strip()}")
    return proc.stdout


def cases(rng):
    """(name, onnx, --input-shape, test data (model layout), calibration data)."""
    fashion = np.load(os.path.join(ROOT, "models", "calib", "fashion_train100.npy"))
    image = ("8,1,28,28", fashion[:8], fashion[:96])
    noise = lambda *s: rng.standard_normal(s).astype(np.float32)
    return [
        ("cnn", os.path.join(ROOT, "models", "cnn.onnx")) + image,
        ("mobilenet", os.path.join(ROOT, "models", "mobilenet.onnx")) + image,
        ("conv1d_stack", os.path.join(AUDIO, "conv1d_stack.onnx"), "1,2,32", noise(1, 2, 32), noise(32, 2, 32)),
        ("reflect_pad_conv", os.path.join(AUDIO, "reflect_pad_conv.onnx"), "1,3,16", noise(1, 3, 16), noise(32, 3, 16)),
        ("frames_dynamic", os.path.join(AUDIO, "frames_dynamic.onnx"), "1,400", noise(1, 400), noise(32, 400)),
    ]


def to_tflite_layout(x):
    # qforge writes 4-D NCHW models as NHWC .tflite files.
    return x.transpose(0, 2, 3, 1).copy() if x.ndim == 4 else x


def check(qforge, work, name, onnx, shape, data, calib, mode):
    model = os.path.join(work, f"{name}_{mode}.tflite")
    batch = shape.split(",")[0]
    if mode == "float":
        run([qforge, "convert", onnx, "-o", model, "--input-shape", shape])
    else:
        calib_file = os.path.join(work, f"{name}_calib.npy")
        np.save(calib_file, calib)
        run([qforge, "quantize", onnx, "-o", model, "--mode", "int8", "--calib", calib_file,
             "--calib-batch", batch, "--calib-count", str(len(calib)), "--input-shape", shape])
    data_file = os.path.join(work, f"{name}_in.npy")
    np.save(data_file, to_tflite_layout(data))
    return compare(work, f"{name}_{mode}", model, data_file, mode)


def compare(work, tag, model, data_file, mode):
    """Runs `model` on `data_file` in qforge and LiteRT; returns (ok, detail)."""
    ours = os.path.join(work, f"{tag}_qforge.npy")
    run([qforge_path(), "run", model, "-i", data_file, "-o", ours])
    b = np.load(ours)
    # A dynamic input resized to the data needs LiteRT's output shape given.
    io = json.loads(run(["node", os.path.join(LITERT, "tflite_fb.js"), model]))
    resize = [] if list(np.load(data_file).shape) == io["inputs"][0]["shape"] else [
        "--output-shape", ",".join(map(str, b.shape))]
    out_dir = os.path.join(work, f"{tag}_litert")
    run(["node", os.path.join(LITERT, "run_litert.js"), model, data_file, "--out", out_dir] + resize)
    a = np.load(os.path.join(out_dir, "output_0.npy"))
    if a.shape != b.shape or a.dtype != b.dtype:
        return False, f"LiteRT {a.dtype}{list(a.shape)} vs qforge {b.dtype}{list(b.shape)}"
    diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    if mode == "float":
        bad = int(np.sum(diff > FLOAT_ATOL + FLOAT_RTOL * np.abs(b)))
        return bad == 0, f"max abs {diff.max():.3g}, max rel {(diff / np.maximum(np.abs(b), 1e-30)).max():.3g}, {bad} over"
    scale = io["outputs"][0]["dequantizes"]["scale"]
    steps = np.rint(diff / scale)
    return steps.max() <= INT8_STEPS, (f"max {int(steps.max())} steps of {scale:.4g}, "
                                       f"{100 * np.mean(steps > 0):.2f}% of {steps.size} differ")


def qforge_path():
    return os.environ.get("QFORGE", os.path.join(os.path.abspath(sys.argv[1]), "qforge"))


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} BUILD_DIR", file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.join(LITERT, "node_modules", "@litertjs", "core")):
        print("SKIP: LiteRT not installed: cd tools/litert && npm ci --ignore-scripts", file=sys.stderr)
        return 77
    qforge = qforge_path()
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        for name, onnx, shape, data, calib in cases(np.random.default_rng(13)):
            for mode in ("float", "int8"):
                try:
                    ok, detail = check(qforge, work, name, onnx, shape, data, calib, mode)
                except RuntimeError as err:
                    ok, detail = False, str(err)
                failed += not ok
                print(f"{'PASS' if ok else 'FAIL'} {name} {mode}: {detail}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
