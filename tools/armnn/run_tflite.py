#!/usr/bin/python3
"""Runs a .tflite model with Arm NN (TfLite parser, reference CPU backend).

    run_tflite.py MODEL.tflite --input X.npy [--input-name N] --out Y.npy [--limit K]

X.npy holds samples along axis 0; each sample is fed alone (batch 1) to the
input named N (default: the subgraph's first input), reshaped to the model's
input shape. A 4-D NCHW sample whose NHWC form is the model's input shape is
transposed (qforge's data files are NCHW, TFLite inputs NHWC). Quantized
inputs (int8/uint8) are fed as given: X must already hold that type.
The outputs of the K first samples (default all) are stacked along axis 0:
output 0 goes to Y.npy, output i > 0 to Y_<i>.npy.

Exit codes: 0 ok; 2 usage or bad input file; 3 Arm NN lacks an operator or
an operator variant; 1 any other failure (parse error, runtime error). Exit 3
prints "armnn-unsupported: op #K NAME: why" (K the operator's index, "?" when
Arm NN does not say), which tests/models/run_armnn_check.sh reads to check the
operators before K. Besides what Arm NN's parser refuses, known gaps of Arm NN
20.08 are found in the file before loading it, because Arm NN aborts or
computes wrong on them instead of refusing them (see known_gaps).
"""
import argparse
import contextlib
import io
import os
import re
import subprocess
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_json  # noqa: E402

EXIT_FAIL, EXIT_USAGE, EXIT_UNSUPPORTED = 1, 2, 3
CPUREF_PACKAGE = "libarmnn-cpuref-backend22"


class Unsupported(Exception):
    """Arm NN lacks operator `index` (None when it does not say which) named `name`."""

    def __init__(self, index, name, detail):
        super().__init__(f"op #{'?' if index is None else index} {name}: {detail}")
        self.index, self.name = index, name


def die(code, msg):
    print(f"run_tflite.py: {msg}", file=sys.stderr)
    sys.exit(code)


def import_pyarmnn():
    # pyarmnn prints notes about parsers it was built without on stdout; keep them out of ours.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import pyarmnn as ann  # noqa: PLC0415
    return ann


def cpuref_backend_dir():
    """Folder of Arm_CpuRef_backend.so, from the files the Debian package installed."""
    try:
        files = subprocess.run(["dpkg", "-L", CPUREF_PACKAGE], check=True, capture_output=True,
                               text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError) as e:
        raise RuntimeError(f"cannot list {CPUREF_PACKAGE} (is it installed?): {e}")
    for f in files:
        if os.path.basename(f) == "Arm_CpuRef_backend.so":
            return os.path.dirname(f)
    raise RuntimeError(f"{CPUREF_PACKAGE} installs no Arm_CpuRef_backend.so")


# Arm NN's TfLite parser:
#   "Operator not supported. subgraph:0 operator:3 opcode_index:3 opcode:<byte> / CAST ..."
UNSUPPORTED_OP = re.compile(r"Operator not supported\.(?:.*?opcode:.*?/\s*(\w+))?", re.S)
# Its schema predates op codes >= 127 (read from deprecated_builtin_code): "Operator code  is out of range
# 0-w. subgraph:0 operator idx:3."
OUT_OF_RANGE = re.compile(r"Operator code .* is out of range.*?subgraph:\s*(\d+) operator idx:\s*(\d+)", re.S)
# Optimize(): a layer no preferred backend supports (a data type combination CpuRef lacks).
UNSUPPORTED_LAYER = re.compile(r"(Layer of type \w+ is not supported|not supported on any preferred backend)")


def operator_name(model, subgraph, index):
    """Builtin name of operator `index` of `subgraph`, decoded with flatc and qforge's schema."""
    try:
        m = tflite_json.decode(model)
        return tflite_json.op_name(m, m["subgraphs"][subgraph]["operators"][index])
    except Exception:  # naming is best effort; the Arm NN message is still reported
        return "an operator"


PARSER_OP_INDEX = re.compile(r"operator:\s*(\d+)")


def classify(err, model):
    text = str(err)
    first = text.strip().splitlines()[0] if text.strip() else type(err).__name__
    m = UNSUPPORTED_OP.search(text)
    if m:
        idx = PARSER_OP_INDEX.search(text)
        index = int(idx.group(1)) if idx else None
        name = m.group(1) or (operator_name(model, 0, index) if index is not None else "an operator")
        return Unsupported(index, name, f"Arm NN's TfLite parser lacks it ({first})")
    m = OUT_OF_RANGE.search(text)
    if m:
        index = int(m.group(2))
        name = operator_name(model, int(m.group(1)), index)
        return Unsupported(index, name, f"an op code >= 127, newer than Arm NN's schema ({first})")
    if UNSUPPORTED_LAYER.search(text) or "is not supported" in text:
        return Unsupported(None, "a layer variant", f"Arm NN CpuRef lacks it: {text.strip()}")
    return err


def known_gaps(model):
    """Operators Arm NN 20.08 cannot take although its parser accepts them: it aborts the process
    (a failed assertion) instead of reporting them, so they are found in the file first."""
    m = tflite_json.decode(model)
    g = m["subgraphs"][0]
    ops = g.get("operators", [])
    for i, op in enumerate(ops):
        name = tflite_json.op_name(m, op)
        ins = op.get("inputs", [])
        if name in ("PAD", "PADV2") and op.get("outputs"):
            out_index = op["outputs"][0]
            out = g["tensors"][out_index]
            zp = out.get("quantization", {}).get("zero_point", [0])
            readers = [tflite_json.op_name(m, o) for o in ops if out_index in o.get("inputs", [])]
            folded = readers and all(r == "CONV_2D" for r in readers)
            if out.get("type") in ("INT8", "UINT8") and zp and zp[0] != 0 and not folded:
                raise Unsupported(i, name, f"a quantized {name} with zero point {zp[0]}: Arm NN 20.08 "
                                  "fills the padding with 0, not the zero point (it is right only where it "
                                  "folds the PAD into the CONV_2D reading it)")
        if name == "FULLY_CONNECTED" and len(ins) > 2 and ins[2] >= 0:
            w = g["tensors"][ins[1]]
            if w.get("type") == "INT8" and len(w.get("quantization", {}).get("scale", [])) > 1:
                raise Unsupported(i, "FULLY_CONNECTED", "per-channel int8 weights with a bias: Arm NN "
                                  "20.08's CpuRef asserts in GetBiasTypeFromWeightsType on them (per-axis "
                                  "QSymmS8)")


def numpy_dtype(ann, armnn_type):
    table = {ann.DataType_Float32: np.float32, ann.DataType_QAsymmS8: np.int8,
             ann.DataType_QSymmS8: np.int8, ann.DataType_QAsymmU8: np.uint8, ann.DataType_Signed32: np.int32,
             ann.DataType_Float16: np.float16, ann.DataType_QSymmS16: np.int16,
             ann.DataType_Boolean: np.bool_}
    if armnn_type not in table:
        raise RuntimeError(f"input data type {armnn_type} has no numpy equivalent")
    return table[armnn_type]


def fit_sample(sample, shape, name):
    """One sample shaped as the model input (NCHW -> NHWC when that is what matches)."""
    shape = tuple(int(d) for d in shape)
    if sample.size != int(np.prod(shape)):
        raise ValueError(f"input '{name}': a sample has {sample.size} elements, the model wants {shape}")
    s = sample.reshape((1,) + sample.shape) if sample.ndim == len(shape) - 1 else sample
    if s.ndim == 4 and len(shape) == 4 and s.shape != shape and (s.shape[0], s.shape[2], s.shape[3],
                                                                 s.shape[1]) == shape:
        s = np.transpose(s, (0, 2, 3, 1))
    return np.ascontiguousarray(s.reshape(shape))


def run(args):
    known_gaps(args.model)
    ann = import_pyarmnn()
    parser = ann.ITfLiteParser()
    try:
        network = parser.CreateNetworkFromBinaryFile(args.model)
    except Exception as e:  # pyarmnn raises RuntimeError subclasses for ParseException
        raise classify(e, args.model)
    graph_id = 0
    input_names = list(parser.GetSubgraphInputTensorNames(graph_id))
    output_names = list(parser.GetSubgraphOutputTensorNames(graph_id))
    name = args.input_name or input_names[0]
    if name not in input_names:
        raise ValueError(f"no input named '{name}' (inputs: {', '.join(input_names)})")
    if len(input_names) != 1:
        raise ValueError(f"models with {len(input_names)} inputs are not supported by this tool")
    in_info = parser.GetNetworkInputBindingInfo(graph_id, name)
    out_infos = [parser.GetNetworkOutputBindingInfo(graph_id, n) for n in output_names]

    options = ann.CreationOptions()
    options.m_DynamicBackendsPath = cpuref_backend_dir()
    runtime = ann.IRuntime(options)
    try:
        opt_network, messages = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(),
                                             ann.OptimizerOptions())
    except Exception as e:
        raise classify(e, args.model)
    net_id, _ = runtime.LoadNetwork(opt_network)

    data = np.load(args.input, allow_pickle=False)
    count = data.shape[0] if args.limit is None else min(args.limit, data.shape[0])
    want = numpy_dtype(ann, in_info[1].GetDataType())
    if data.dtype != want:
        if np.issubdtype(want, np.floating) and np.issubdtype(data.dtype, np.floating):
            data = data.astype(want)
        else:
            raise ValueError(f"input '{name}' is {np.dtype(want).name} in the model, {data.dtype} in "
                             f"{args.input} (quantized inputs are fed as given)")
    in_shape = [in_info[1].GetShape()[i] for i in range(in_info[1].GetNumDimensions())]
    results = [[] for _ in out_infos]
    for i in range(count):
        sample = fit_sample(data[i], in_shape, name)
        inputs = ann.make_input_tensors([in_info], [sample])
        outputs = ann.make_output_tensors(out_infos)
        runtime.EnqueueWorkload(net_id, inputs, outputs)
        for k, arr in enumerate(ann.workload_tensors_to_ndarray(outputs)):
            arr = np.array(arr)
            # One sample's output keeps (or gains) a leading batch dimension of 1.
            results[k].append(arr if arr.ndim and arr.shape[0] == 1 else arr[np.newaxis])
    for k, chunks in enumerate(results):
        path = args.out if k == 0 else re.sub(r"(\.npy)?$", f"_{k}.npy", args.out, count=1)
        np.save(path, np.concatenate(chunks, axis=0))
    print(f"armnn: {args.model}: ran {count} sample(s) on CpuRef, outputs: {', '.join(output_names)}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--input", required=True)
    p.add_argument("--input-name")
    p.add_argument("--out", required=True)
    p.add_argument("--limit", type=int)
    args = p.parse_args()
    if args.limit is not None and args.limit < 1:
        die(EXIT_USAGE, "--limit must be positive")
    for f in (args.model, args.input):
        if not os.path.isfile(f):
            die(EXIT_USAGE, f"no such file: {f}")
    try:
        run(args)
    except Unsupported as e:
        die(EXIT_UNSUPPORTED, f"armnn-unsupported: {e}")
    except ValueError as e:
        die(EXIT_USAGE, str(e))
    except Exception as e:  # everything else is a real failure: name it
        die(EXIT_FAIL, f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
