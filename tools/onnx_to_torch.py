#!/usr/bin/python3
"""Rebuilds a torch.nn.Module from one of models/{cnn,mobilenet,resnet}.onnx.

  tools/onnx_to_torch.py models/cnn.onnx [--check] [--images 32] [--no-ort]

Why not load the training code's modules (tools/fashion_models.py)? The ONNX
files are the artifacts qforge quantizes: their BatchNorms are already folded
into the Conv weights by the exporter, and their weights are exactly the bytes
qforge reads. A PyTorch PTQ reference must start from the same weights, so
this builds the module from the ONNX initializers.

Supported ONNX ops (the set these three models use): Conv (any group, pads,
strides, dilations), Relu, Clip with constant bounds (0/6 becomes nn.ReLU6,
other bounds nn.Hardtanh), MaxPool, GlobalAveragePool, Flatten, Gemm (alpha =
beta = 1, transB = 1 or 0 with a constant B), Add, and Constant nodes that
feed Clip bounds. Anything else raises ValueError naming the node.

The module is FX-traceable: forward() walks a fixed node plan with plain
Python (no data-dependent control flow), so torch.fx unrolls it into a flat
graph of nn.Conv2d / nn.ReLU / nn.ReLU6 / nn.Linear / nn.MaxPool2d /
nn.AdaptiveAvgPool2d modules and torch.add / torch.flatten calls, which
torch.ao.quantization's prepare_fx / convert_fx quantize (conv+relu fused,
torch.add -> quantized add). FX graph mode quantizes torch.add natively, so
no nn.quantized.FloatFunctional is needed (that is only required by eager-mode
quantization); --float-functional switches Adds to FloatFunctional anyway, for
eager-mode users.

--check verifies the conversion:
  * logits on the first N Fashion-MNIST test images equal ONNX Runtime's
    (tools/ort/run_ort.js, onnxruntime-node) within 1e-4 absolute, and equal
    the float64 PyTorch goldens in tests/models/data when present;
  * top-1 on the 10k test images equals models/NAME.json "float_top1".
Exit code 0 iff all checks pass.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import fashion_mnist  # noqa: E402

TOLERANCE = 1e-4


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "node"


def _symmetric_pads(node, pads):
    """torch's Conv2d / MaxPool2d pad both sides equally; ONNX allows begin != end."""
    if not pads:
        return (0, 0)
    half = len(pads) // 2
    if list(pads[:half]) != list(pads[half:]):
        raise ValueError(f"node '{node.name}' ({node.op_type}): asymmetric pads {list(pads)} unsupported")
    return tuple(int(p) for p in pads[:half])


class OnnxModule(nn.Module):
    """Executes a fixed plan of (kind, module name or None, input names, output name, extra)."""

    def __init__(self, input_name, output_names, plan, layers):
        super().__init__()
        self.input_name = input_name
        self.output_names = list(output_names)
        self.plan = plan
        self.layers = nn.ModuleDict(layers)

    def forward(self, x):
        env = {self.input_name: x}
        for kind, layer, inputs, output, extra in self.plan:
            if kind == "module":
                env[output] = self.layers[layer](env[inputs[0]])
            elif kind == "add":
                env[output] = torch.add(env[inputs[0]], env[inputs[1]])
            elif kind == "ff_add":
                env[output] = self.layers[layer].add(env[inputs[0]], env[inputs[1]])
            elif kind == "flatten":
                env[output] = torch.flatten(env[inputs[0]], extra)
            else:  # the builder only emits the kinds above
                raise RuntimeError(f"unknown plan step {kind}")
        if len(self.output_names) == 1:
            return env[self.output_names[0]]
        return tuple(env[n] for n in self.output_names)


def build(onnx_path, float_functional=False):
    """Returns an OnnxModule (eval mode) equivalent to the ONNX model at onnx_path."""
    model = onnx.load(onnx_path)
    graph = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    real_inputs = [i.name for i in graph.input if i.name not in inits]
    if len(real_inputs) != 1:
        raise ValueError(f"{onnx_path}: expected one graph input, found {real_inputs}")
    consts = dict(inits)
    plan = []
    layers = {}
    used = set()

    def unique(name):
        base = _safe(name)
        n, k = base, 1
        while n in used:
            k += 1
            n = f"{base}_{k}"
        used.add(n)
        return n

    def const(node, idx):
        if idx >= len(node.input) or not node.input[idx]:
            return None
        name = node.input[idx]
        if name not in consts:
            raise ValueError(f"node '{node.name}' ({node.op_type}): input {idx} '{name}' must be constant")
        return consts[name]

    def param(array):
        return nn.Parameter(torch.from_numpy(np.array(array, dtype=np.float32)), requires_grad=False)

    for node in graph.node:
        a = _attrs(node)
        op = node.op_type
        out = node.output[0]
        label = node.name or out
        if op == "Constant":
            if "value" not in a:
                raise ValueError(f"node '{label}': only Constant with a tensor 'value' is supported")
            consts[out] = numpy_helper.to_array(a["value"])
            continue
        if op == "Conv":
            w = const(node, 1)
            b = const(node, 2)
            if w.ndim != 4:
                raise ValueError(f"node '{label}': only 2-D Conv supported, weight {w.shape}")
            group = int(a.get("group", 1))
            if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                raise ValueError(f"node '{label}': auto_pad unsupported")
            conv = nn.Conv2d(w.shape[1] * group, w.shape[0], tuple(w.shape[2:]),
                             stride=tuple(a.get("strides", [1, 1])),
                             padding=_symmetric_pads(node, a.get("pads")),
                             dilation=tuple(a.get("dilations", [1, 1])), groups=group, bias=b is not None)
            conv.weight = param(w)
            if b is not None:
                conv.bias = param(b)
            name = unique(label)
            layers[name] = conv
            plan.append(("module", name, [node.input[0]], out, None))
        elif op == "Relu":
            name = unique(label)
            layers[name] = nn.ReLU()
            plan.append(("module", name, [node.input[0]], out, None))
        elif op == "Clip":
            lo, hi = const(node, 1), const(node, 2)
            if "min" in a or "max" in a:  # opset < 11 form
                lo, hi = a.get("min"), a.get("max")
            lo = float(lo) if lo is not None else -float("inf")
            hi = float(hi) if hi is not None else float("inf")
            name = unique(label)
            # nn.ReLU6 is what the quantizer recognises as ReLU6 (shares its input's qparams).
            layers[name] = nn.ReLU6() if (lo, hi) == (0.0, 6.0) else nn.Hardtanh(lo, hi)
            plan.append(("module", name, [node.input[0]], out, None))
        elif op == "MaxPool":
            if a.get("ceil_mode", 0) or any(d != 1 for d in a.get("dilations", [1, 1])):
                raise ValueError(f"node '{label}': MaxPool ceil_mode/dilations unsupported")
            if a.get("storage_order", 0):
                raise ValueError(f"node '{label}': MaxPool storage_order unsupported")
            k = tuple(a["kernel_shape"])
            name = unique(label)
            layers[name] = nn.MaxPool2d(k, stride=tuple(a.get("strides", k)),
                                        padding=_symmetric_pads(node, a.get("pads")))
            plan.append(("module", name, [node.input[0]], out, None))
        elif op == "GlobalAveragePool":
            name = unique(label)
            layers[name] = nn.AdaptiveAvgPool2d(1)
            plan.append(("module", name, [node.input[0]], out, None))
        elif op == "Flatten":
            axis = int(a.get("axis", 1))
            if axis < 1:
                raise ValueError(f"node '{label}': Flatten axis {axis} unsupported")
            plan.append(("flatten", None, [node.input[0]], out, axis))
        elif op == "Gemm":
            if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
                raise ValueError(f"node '{label}': Gemm needs transA=0, alpha=beta=1")
            w = const(node, 1)
            if not a.get("transB", 0):
                w = w.T
            b = const(node, 2)
            if b is not None and b.ndim > 1:
                b = b.reshape(-1)
            lin = nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
            lin.weight = param(w)
            if b is not None:
                lin.bias = param(np.broadcast_to(b, (w.shape[0],)))
            name = unique(label)
            layers[name] = lin
            plan.append(("module", name, [node.input[0]], out, None))
        elif op == "Add":
            if any(i in consts for i in node.input):
                raise ValueError(f"node '{label}': Add with a constant operand unsupported")
            if float_functional:
                name = unique(label)
                layers[name] = nn.quantized.FloatFunctional()
                plan.append(("ff_add", name, list(node.input), out, None))
            else:
                plan.append(("add", None, list(node.input), out, None))
        else:
            raise ValueError(f"node '{label}': op {op} is not supported by onnx_to_torch")
    module = OnnxModule(real_inputs[0], [o.name for o in graph.output], plan, layers)
    return module.eval()


def evaluate_top1(model, x, y, batch=1000):
    """Fraction of images whose argmax logit equals the label."""
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)


def ort_logits(onnx_path, images):
    """Runs onnxruntime-node (tools/ort/run_ort.js) on images; returns the first output."""
    with tempfile.TemporaryDirectory(prefix="onnx_to_torch_") as tmp:
        inp = os.path.join(tmp, "input.npy")
        np.save(inp, images)
        res = subprocess.run(["node", os.path.join(TOOLS, "ort", "run_ort.js"), onnx_path, inp, "--out", tmp],
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"run_ort.js failed: {res.stderr.strip()}")
        out_name = onnx.load(onnx_path).graph.output[0].name
        return np.load(os.path.join(tmp, re.sub(r"[^A-Za-z0-9._-]", "_", out_name) + ".npy"))


def check(onnx_path, images, use_ort):
    name = os.path.splitext(os.path.basename(onnx_path))[0]
    module = build(onnx_path)
    x, y = fashion_mnist.load_split("t10k")
    ok = True
    with torch.no_grad():
        ours = module(torch.from_numpy(x[:images])).numpy()
    if use_ort:
        ref = ort_logits(onnx_path, x[:images])
        err = float(np.abs(ours - ref).max())
        good = err <= TOLERANCE
        ok &= good
        print(f"{name}: max |torch - ORT| over {images} test images = {err:.3e} "
              f"({'ok' if good else 'FAIL'}, tolerance {TOLERANCE})")
    golden = os.path.join(ROOT, "tests", "models", "data", f"{name}_t10k_first32_logits.npy")
    if os.path.exists(golden):
        g = np.load(golden)
        n = min(images, len(g))
        err = float(np.abs(ours[:n] - g[:n]).max())
        good = err <= TOLERANCE
        ok &= good
        verdict = "ok" if good else "FAIL"
        print(f"{name}: max |torch - float64 golden| over {n} images = {err:.3e} ({verdict})")
    meta_path = os.path.splitext(onnx_path)[0] + ".json"
    top1 = evaluate_top1(module, x, y)
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            expected = json.load(f)["float_top1"]
        # float_top1 is stored with 4 decimals, i.e. an exact count of the 10k images.
        good = round(top1 * len(x)) == round(expected * len(x))
        ok &= good
        print(f"{name}: float top-1 {top1:.4f} vs {os.path.basename(meta_path)} {expected:.4f} "
              f"({'ok' if good else 'FAIL'})")
    else:
        print(f"{name}: float top-1 {top1:.4f} (no {meta_path} to compare)")
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+", help="ONNX files")
    p.add_argument("--check", action="store_true", help="verify against ORT, goldens and float_top1")
    p.add_argument("--images", type=int, default=32, help="test images for the logits comparison")
    p.add_argument("--no-ort", action="store_true", help="skip the ONNX Runtime comparison")
    p.add_argument("--float-functional", action="store_true", help="Adds as nn.quantized.FloatFunctional")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    ok = True
    for path in args.models:
        if args.check:
            ok &= check(path, args.images, not args.no_ort)
        else:
            print(build(path, args.float_functional))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
