#!/usr/bin/python3
"""Exports a small QDQ ONNX model made by PyTorch's quantization-aware training.

  tools/export_torch_qdq.py [--out-dir tests/models/data] [--steps 300] [--qat-steps 100] [--images 8]

Writes, in OUT_DIR:
  torch_qdq_small.onnx             opset 13, input "input" float32 [batch,1,28,28],
                                   output "logits" float32 [batch,10]; every
                                   quantized tensor appears as a
                                   QuantizeLinear -> DequantizeLinear pair
  torch_qdq_small_input.npy        the first IMAGES Fashion-MNIST test images, x/255
  torch_qdq_small_ort_output.npy   ONNX Runtime's logits for that input (the reference)

Purpose: a QDQ model "made by another tool" for qforge's QDQ importer and
runtime, whose conventions differ from qforge's own quantizer: PyTorch's
quint8 (uint8) asymmetric activations, qint8 per-channel symmetric weights
in the full [-128, 127] range (not narrow), float weights quantized in the
graph (Q -> DQ on a float initializer) and float biases.

The network (Conv-BN-ReLU, a residual Add, MaxPool, GlobalAveragePool,
Linear):
  stem   conv3x3(1->8)+BN, ReLU                          28x28
  block  conv3x3(8->8)+BN, ReLU, conv3x3(8->8)+BN, + stem output, ReLU
  pool   maxpool 2x2                                      14x14
  head   conv3x3(8->16, stride 2)+BN, ReLU                7x7
         global average pool, flatten, linear(16->10)
It is trained briefly in float (seeded), BatchNorm is folded into the convs
(torch.ao.quantization.fuse_fx in eval mode), then FX quantization-aware
training (prepare_qat_fx) fine-tunes with fake quantization:
  activations: FakeQuantize + MovingAverageMinMaxObserver, quint8 [0, 255]
               (torch.onnx only exports the [0,255] / [-128,127] ranges, so
               no reduce_range),
  weights:     default_per_channel_weight_fake_quant, qint8 [-128, 127],
               per_channel_symmetric along the output channel: torch 1.13
               exports per-channel fake quantization at opset 13 as
               QuantizeLinear/DequantizeLinear with axis=0.
The fake-quantized model is exported in eval mode (observers frozen) with
torch.onnx.export(opset_version=13), which turns each FakeQuantize into
QuantizeLinear -> DequantizeLinear.
Deterministic for a given machine and torch build (seeded, one thread).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn
from torch.ao.quantization import QConfig, QConfigMapping
from torch.ao.quantization.fake_quantize import FakeQuantize, default_per_channel_weight_fake_quant
from torch.ao.quantization.observer import MovingAverageMinMaxObserver
from torch.ao.quantization.quantize_fx import fuse_fx, prepare_qat_fx

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import fashion_mnist  # noqa: E402

OPSET = 13
NAME = "torch_qdq_small"


class SmallQdqNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.conv1 = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        s = self.stem(x)
        y = self.relu(self.conv2(self.conv1(s)) + s)
        y = self.head(self.pool(y))
        return self.fc(torch.flatten(self.gap(y), 1))


def train(model, x, y, steps, lr, seed, batch=64):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, len(x), (batch,), generator=gen)
        opt.zero_grad()
        loss = loss_fn(model(torch.from_numpy(x[idx.numpy()])), torch.from_numpy(y[idx.numpy()]))
        loss.backward()
        opt.step()
    return float(loss)


def top1(model, x, y):
    model.eval()
    with torch.no_grad():
        return float((model(torch.from_numpy(x)).argmax(1).numpy() == y).mean())


def qat_mapping():
    act = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                 dtype=torch.quint8, qscheme=torch.per_tensor_affine)
    return QConfigMapping().set_global(QConfig(activation=act, weight=default_per_channel_weight_fake_quant))


def scalarize_qparams(model):
    """Reshapes 1-element scale / zero-point initializers of per-tensor Q/DQ to rank 0.

    torch.onnx exports FX fake-quant scales as shape [1]. ONNX allows that, but
    ONNX Runtime 1.30's QDQ fusion rejects it ("[TypeInferenceError] Scale and
    Zero-point must be a scalar" from QLinearAdd) when the graph is optimized,
    so the reference could not be produced. The values are unchanged. Returns
    the names rewritten.
    """
    inits = {t.name: t for t in model.graph.initializer}
    # Zero points reach the Q/DQ nodes through Identity nodes (torch shares equal constants).
    identity_src = {n.output[0]: n.input[0] for n in model.graph.node if n.op_type == "Identity"}
    names = set()
    for n in model.graph.node:
        if n.op_type not in ("QuantizeLinear", "DequantizeLinear"):
            continue
        if any(a.name == "axis" for a in n.attribute):
            continue
        for name in n.input[1:]:
            name = identity_src.get(name, name)
            t = inits.get(name)
            if t is not None and list(t.dims) == [1]:
                names.add(name)
    for name in sorted(names):
        t = inits[name]
        arr = numpy_helper.to_array(t).reshape(())
        t.CopyFrom(numpy_helper.from_array(arr, name))
    return sorted(names)


def ort_output(model_path, input_path):
    with tempfile.TemporaryDirectory(prefix="export_torch_qdq_") as tmp:
        res = subprocess.run(["node", os.path.join(TOOLS, "ort", "run_ort.js"), model_path, input_path,
                              "--out", tmp], capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"run_ort.js failed: {res.stderr.strip()}")
        return np.load(os.path.join(tmp, "logits.npy"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", default=os.path.join(ROOT, "tests", "models", "data"))
    p.add_argument("--steps", type=int, default=600, help="float training steps (batch 64)")
    p.add_argument("--qat-steps", type=int, default=100, help="QAT fine-tuning steps (batch 64)")
    p.add_argument("--images", type=int, default=8, help="test images in the input file")
    p.add_argument("--seed", type=int, default=1234)
    args = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    x, y = fashion_mnist.load_split("train")
    xt, yt = fashion_mnist.load_split("t10k")
    xt, yt = xt[:2000], yt[:2000]
    model = SmallQdqNet()
    loss = train(model, x, y, args.steps, 3e-3, args.seed)
    print(f"float: {args.steps} steps, last loss {loss:.3f}, "
          f"top-1 on 2000 test images {top1(model, xt, yt):.4f}")

    model.eval()
    example = (torch.from_numpy(xt[:1]),)
    fused = fuse_fx(model)  # eval mode: folds each BatchNorm into its Conv
    qat = prepare_qat_fx(fused.train(), qat_mapping(), example)
    loss = train(qat, x, y, args.qat_steps, 5e-4, args.seed + 1)
    qat.apply(torch.ao.quantization.disable_observer)
    print(f"QAT: {args.qat_steps} steps, last loss {loss:.3f}, fake-quant top-1 {top1(qat, xt, yt):.4f}")

    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, f"{NAME}.onnx")
    input_path = os.path.join(args.out_dir, f"{NAME}_input.npy")
    output_path = os.path.join(args.out_dir, f"{NAME}_ort_output.npy")
    qat.eval()
    torch.onnx.export(qat, example, onnx_path, opset_version=OPSET, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    m = onnx.load(onnx_path)
    fixed = scalarize_qparams(m)
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    print(f"scale/zero-point initializers reshaped [1] -> []: {len(fixed)}")
    ops = {}
    for n in m.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    axes = sorted({a.i for n in m.graph.node if n.op_type in ("QuantizeLinear", "DequantizeLinear")
                   for a in n.attribute if a.name == "axis"})
    print(f"{onnx_path}: {os.path.getsize(onnx_path)} bytes, ops {dict(sorted(ops.items()))}, "
          f"Q/DQ axis attributes {axes}")

    images = np.ascontiguousarray(fashion_mnist.load_split("t10k")[0][:args.images])
    np.save(input_path, images)
    ref = ort_output(onnx_path, input_path)
    np.save(output_path, ref)
    with torch.no_grad():
        fq = qat(torch.from_numpy(images)).numpy()
    print(f"{output_path}: {list(ref.shape)}; max |ORT - torch fake-quant| = {np.abs(ref - fq).max():.3e}, "
          f"argmax {ref.argmax(1).tolist()}, labels {yt[:args.images].tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
