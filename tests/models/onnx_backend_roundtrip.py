#!/usr/bin/env python3
"""Every ONNX backend test model qforge reads, written back by `qforge convert`
and run in ONNX Runtime (issue 13, item 7: the writer writes what its opset
means).

  onnx_backend_roundtrip.py QFORGE WORKDIR

For each case of Debian libonnx-testdata (node, simple, pytorch-converted,
pytorch-operator) whose model qforge loads: `qforge convert model.onnx -o
WORKDIR/<case>.onnx`, the case's first data set as .npy, then one ONNX
Runtime process (tools/ort/backend_roundtrip.js) runs the original and the
written file against the expected outputs. A case fails when ONNX Runtime
runs the original correctly but not qforge's file. Cases qforge refuses are
the conformance test's business (tests/conformance); cases with tensor types
the .npy bridge does not carry (float16, strings, sequences) are counted and
left out.
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DATA = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "simple", "pytorch-converted", "pytorch-operator"]
CARRIED = {np.dtype(t) for t in ("float32", "float64", "int64", "int32", "int8", "uint8", "bool")}
HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "..", "tools", "ort", "backend_roundtrip.js")


def read_arrays(files):
    """The data set's tensors as arrays, or None when one is not a carried tensor."""
    arrays = []
    for f in files:
        t = onnx.TensorProto()
        try:
            with open(f, "rb") as fh:
                t.ParseFromString(fh.read())
            a = numpy_helper.to_array(t)
        except Exception:  # sequences, optionals, maps: not TensorProto
            return None
        if a.dtype not in CARRIED:
            return None
        arrays.append(a)
    return arrays


def opset18_cases():
    """Models using what opset 18 changed (the Debian test data stops at 17):
    name -> (model, inputs). ONNX Runtime's outputs on them are the expected ones."""
    rng = np.random.default_rng(18)

    def model(nodes, inputs, outputs, inits=()):
        g = helper.make_graph(nodes, "opset18", inputs, outputs, list(inits))
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)

    def fin(name, dims):
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)

    cases = {}
    for width, parts in ((6, 3), (7, 3), (10, 4)):
        outs = ["y%d" % k for k in range(parts)]
        split = helper.make_node("Split", ["x"], outs, axis=1, num_outputs=parts)
        cases["split_num_outputs_%d_in_%d" % (width, parts)] = (
            model([split], [fin("x", [2, width])], [fin(o, None) for o in outs]),
            [rng.standard_normal((2, width)).astype(np.float32)])
    for op in ("ReduceMean", "ReduceMax"):
        axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
        cases[op.lower() + "_axes_input"] = (
            model([helper.make_node(op, ["x", "axes"], ["y"], keepdims=0)], [fin("x", [2, 3, 4])],
                  [fin("y", None)], [axes]),
            [rng.standard_normal((2, 3, 4)).astype(np.float32)])
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales")
    resize = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="nearest", antialias=0,
                              keep_aspect_ratio_policy="stretch")
    cases["resize_opset18_default_attributes"] = (
        model([resize], [fin("x", [1, 2, 3, 3])], [fin("y", None)], [scales]),
        [rng.standard_normal((1, 2, 3, 3)).astype(np.float32)])
    return cases


def convert(qforge, work, name, model_path, inputs, expected):
    """A manifest entry for `model_path` written back by qforge, or None when qforge refuses it."""
    base = os.path.join(work, name.replace("/", "__"))
    written = base + ".onnx"
    r = subprocess.run([qforge, "convert", model_path, "-o", written], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    files = {"inputs": [], "expected": None if expected is None else []}
    for kind, arrays in (("inputs", inputs), ("expected", expected or [])):
        for k, a in enumerate(arrays):
            f = "%s.%s%d.npy" % (base, kind, k)
            np.save(f, a)
            files[kind].append(f)
    return {"name": name, "original": model_path, "written": written, **files}


def main():
    qforge, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    manifest, refused, uncarried = [], 0, 0
    for suite in SUITES:
        for case_dir in sorted(glob.glob(os.path.join(DATA, suite, "*"))):
            model = os.path.join(case_dir, "model.onnx")
            data = os.path.join(case_dir, "test_data_set_0")
            if not os.path.isfile(model) or not os.path.isdir(data):
                continue
            name = suite + "/" + os.path.basename(case_dir)
            inputs = read_arrays(sorted(glob.glob(os.path.join(data, "input_*.pb")),
                                        key=lambda p: int(p.rsplit("_", 1)[1][:-3])))
            expected = read_arrays(sorted(glob.glob(os.path.join(data, "output_*.pb")),
                                          key=lambda p: int(p.rsplit("_", 1)[1][:-3])))
            if inputs is None or expected is None:
                uncarried += 1
                continue
            # Inputs the model lists beyond the data set's (optional inputs) cannot be fed.
            graph = onnx.load(model, load_external_data=False).graph
            inits = {i.name for i in graph.initializer}
            if len([i for i in graph.input if i.name not in inits]) != len(inputs):
                uncarried += 1
                continue
            entry = convert(qforge, work, name, model, inputs, expected)
            if entry is None:
                refused += 1
            else:
                manifest.append(entry)
    for name, (m, inputs) in opset18_cases().items():
        path = os.path.join(work, "opset18__%s.original.onnx" % name)
        onnx.save(m, path)
        entry = convert(qforge, work, "opset18/" + name, path, inputs, None)
        if entry is None:  # every one of these is a form qforge reads
            print("opset18/%s: FAIL (qforge convert refuses it)" % name)
            return 1
        manifest.append(entry)
    with open(os.path.join(work, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    print("qforge convert: %d cases written, %d refused by qforge, %d with data the .npy bridge does not carry"
          % (len(manifest), refused, uncarried), flush=True)
    return subprocess.run(["node", RUNNER, os.path.join(work, "manifest.json")]).returncode


if __name__ == "__main__":
    sys.exit(main())
