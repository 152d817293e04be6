"""By hand (the models are not in the repo): openWakeWord's shipped .tflite
files and qforge's .tflite from its .onnx, in LiteRT vs qforge.

  /usr/bin/python3 tools/litert/oww_check.py BUILD_DIR MODELS_DIR [--prefixes]

--prefixes also cuts embedding_model after each of its first 13 nodes
(onnx.utils.extract_model), quantizes each cut as the whole is quantized
and compares it: where the int8 gap to LiteRT grows.
"""
import os
import sys
import tempfile

import numpy as np
import onnx
import onnx.utils

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "models"))
import litert_check as lc  # noqa: E402


def main():
    qforge, m = lc.qforge_path(), sys.argv[2]
    rng = np.random.default_rng(2)
    with tempfile.TemporaryDirectory() as w:
        t = np.arange(1280) / 16000.0
        audio = (np.sin(2 * np.pi * 440 * t) * 3000 + rng.standard_normal(1280) * 300).astype(np.float32)[None]
        files = {"audio": audio, "feat": (rng.standard_normal((1, 76, 32, 1)) / 10 + 2).astype(np.float32),
                 "calib": (rng.standard_normal((64, 76, 32, 1)) / 10 + 2).astype(np.float32),
                 # Scaled so the head's sigmoid is not saturated (output ~0.56).
                 "emb": (np.random.default_rng(2).standard_normal((1, 16, 96)) * 0.05).astype(np.float32)}
        for k, v in files.items():
            np.save(os.path.join(w, k + ".npy"), v)
        f = lambda k: os.path.join(w, k + ".npy")
        written = lambda n: os.path.join(w, n + ".tflite")
        steps = [("shipped melspectrogram", os.path.join(m, "melspectrogram.tflite"), "audio", "float", None),
                 ("shipped embedding_model", os.path.join(m, "embedding_model.tflite"), "feat", "float", None),
                 ("shipped hey_mycroft", os.path.join(m, "hey_mycroft_v0.1.tflite"), "emb", "float", None),
                 ("qforge melspectrogram", written("mel"), "audio", "float",
                  ["convert", os.path.join(m, "melspectrogram.onnx"), "--input-shape", "1,1280"]),
                 ("qforge embedding_model", written("emb"), "feat", "float",
                  ["convert", os.path.join(m, "embedding_model.onnx"), "--input-shape", "1,76,32,1"]),
                 ("qforge hey_mycroft", written("hm"), "emb", "float",
                  ["convert", os.path.join(m, "hey_mycroft_v0.1.onnx")]),
                 ("qforge embedding_model int8", written("emb_q"), "feat", "int8",
                  ["quantize", os.path.join(m, "embedding_model.onnx"), "--mode", "int8", "--calib", f("calib"),
                   "--calib-batch", "1", "--calib-count", "64", "--input-shape", "1,76,32,1"])]
        if "--prefixes" in sys.argv:
            steps += prefixes(w, os.path.join(m, "embedding_model.onnx"), steps[-1][4][2:])
        for name, model, data, mode, make in steps:
            try:
                if make:
                    lc.run([qforge] + make[:2] + ["-o", model] + make[2:])
                ok, detail = lc.compare(w, name.replace(" ", "_"), model, f(data), mode)
            except RuntimeError as err:
                ok, detail = False, str(err)
            print(f"{'PASS' if ok else 'FAIL'} {name} {mode}: {detail}", flush=True)
            if mode == "int8":
                print("  " + distance_from_float(w, qforge, make[1], f(data), name.replace(" ", "_"), model))


def prefixes(work, onnx_path, quantize_flags):
    """Steps that quantize and check embedding_model cut after nodes 1..13."""
    out = []
    for i, node in enumerate(onnx.load(onnx_path).graph.node[1:14], start=1):
        cut = os.path.join(work, f"cut{i}.onnx")
        onnx.utils.extract_model(onnx_path, cut, ["input_1"], [node.output[0]])
        out.append((f"embedding cut after {i} {node.op_type} int8", os.path.join(work, f"cut{i}.tflite"), "feat", "int8",
                    ["quantize", cut] + quantize_flags))
    return out


def distance_from_float(work, qforge, onnx, data, tag, model):
    """Mean and max steps of qforge's and LiteRT's int8 output from the float
    model: whether a gap between the two is one runtime drifting or both."""
    ref = os.path.join(work, tag + "_float.npy")
    lc.run([qforge, "run", onnx, "-i", data, "-o", ref])
    f = np.load(ref)
    ours = np.load(os.path.join(work, tag + "_qforge.npy"))
    if f.shape != ours.shape:  # a 4-D NCHW ONNX output is NHWC in the .tflite
        f = f.transpose(0, 2, 3, 1)
    f = f.ravel()
    scale = lc.json.loads(lc.run(["node", os.path.join(lc.LITERT, "tflite_fb.js"), model]))["outputs"][0]["dequantizes"]["scale"]
    parts = []
    for who, path in (("qforge", tag + "_qforge.npy"), ("LiteRT", os.path.join(tag + "_litert", "output_0.npy"))):
        d = np.abs(np.load(os.path.join(work, path)).ravel() - f) / scale
        parts.append(f"{who} vs float: mean {d.mean():.2f}, max {d.max():.1f} steps")
    return "; ".join(parts)


if __name__ == "__main__":
    main()
