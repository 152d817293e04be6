#!/usr/bin/python3
"""PyTorch post-training quantization reference for the Fashion-MNIST models.

  tools/torch_ptq.py [--models cnn,mobilenet,resnet] [--modes static,static-per-tensor,dynamic]
                     [--calib models/calib/fashion_train100.npy] [--threads 1]

For each model, rebuilds the float network from models/NAME.onnx
(tools/onnx_to_torch.py: same weights as qforge reads, BatchNorm folded) and
quantizes it with PyTorch 1.13's torch.ao.quantization on the 'fbgemm' (x86)
backend:

  static             FX graph mode (prepare_fx / convert_fx) with
                     get_default_qconfig_mapping('fbgemm'): activations quint8
                     per tensor, affine, HistogramObserver with reduce_range=True
                     (7-bit activations: fbgemm's guard against vpmaddubsw
                     int16 saturation); weights qint8 per channel symmetric
                     (PerChannelMinMaxObserver). Conv+ReLU are fused; ReLU6
                     shares its input's qparams.
  static-per-tensor  the same mapping with every per-channel weight observer
                     replaced by default_weight_observer (qint8 per tensor
                     symmetric MinMax).
  dynamic            torch.ao.quantization.quantize_dynamic on nn.Linear only
                     (qint8 per-tensor weights; activations quantized per batch
                     at run time; Convs stay float).

Static modes are calibrated on the bundled calibration samples (the first 100
Fashion-MNIST training images, tools/make_calib_set.py) in one forward pass;
every mode is evaluated on the 10,000 test images. Prints one JSON line per
model and mode: {"model", "mode", "float_top1", "quant_top1", "delta_points",
"calib_images", "test_images", "seconds", "command"}.

Deterministic: the observers are deterministic and the data fixed, so reruns
print the same accuracies (timings vary).
"""
import argparse
import copy
import json
import os
import shlex
import sys
import time
import warnings

import numpy as np
import torch
from torch import nn
from torch.ao.quantization import QConfig, default_weight_observer, get_default_qconfig_mapping
from torch.ao.quantization import quantize_dynamic
from torch.ao.quantization.observer import PerChannelMinMaxObserver
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import fashion_mnist  # noqa: E402
import onnx_to_torch  # noqa: E402

MODES = ("static", "static-per-tensor", "dynamic")
QCONFIGS = ("fbgemm", "x86", "onednn", "qnnpack")


def pick_engine(requested):
    """The quantized engine that runs the converted model.

    Debian's torch 1.13 is built without FBGEMM (supported_engines is
    ['qnnpack', 'none', 'onednn']), so by default the fbgemm *qconfig* (which
    decides every scale and zero point) is executed by the oneDNN x86 engine,
    which implements the same quint8 x qint8 per-channel ops.
    """
    engines = torch.backends.quantized.supported_engines
    if requested == "auto":
        requested = "fbgemm" if "fbgemm" in engines else "onednn"
    if requested not in engines:
        sys.exit(f"quantized engine {requested} not in this torch build ({engines})")
    return requested


def per_tensor_mapping(qconfig):
    """get_default_qconfig_mapping('fbgemm') with per-tensor weight observers.

    Only the weight observer changes, so the difference to 'static' isolates
    per-channel vs per-tensor weights (same activation observer, same fixed-
    qparams entries for sigmoid/tanh/..., same fusion).
    """
    mapping = get_default_qconfig_mapping(qconfig)

    def fix(qc):
        if qc is None or not isinstance(qc.weight(), PerChannelMinMaxObserver):
            return qc
        return QConfig(activation=qc.activation, weight=default_weight_observer)

    mapping.set_global(fix(mapping.global_qconfig))
    for obj, qc in list(mapping.object_type_qconfigs.items()):
        mapping.set_object_type(obj, fix(qc))
    return mapping


def quantize(model, mode, calib, qconfig):
    model = copy.deepcopy(model).eval()
    if mode == "dynamic":
        return quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    mapping = get_default_qconfig_mapping(qconfig) if mode == "static" else per_tensor_mapping(qconfig)
    example = (torch.from_numpy(calib[:1]),)
    prepared = prepare_fx(model, mapping, example)
    with torch.no_grad():
        prepared(torch.from_numpy(calib))
    return convert_fx(prepared)


def export_qdq(float_model, mode, calib, path):
    """Calibrates a fake-quantized copy and exports it as a QDQ ONNX file; returns the copy.

    Why not export convert_fx's output: torch.onnx cannot export quantized
    modules to QDQ. The fake-quant model (prepare_qat_fx, observers run on the
    calibration set with fake quantization off, then frozen) carries the same
    kind of calibration, and torch.onnx turns each FakeQuantize into
    QuantizeLinear -> DequantizeLinear. Differences from 'static': activations
    use the full quint8 range [0, 255] (torch.onnx refuses fbgemm's
    reduce_range [0, 127]) and weights qint8 [-128, 127] symmetric (per channel
    on axis 0 for 'static', per tensor for 'static-per-tensor'). Exported at
    opset 13 with dynamic batch, input "input", output "logits".
    """
    import onnx  # only needed here
    from torch.ao.quantization import QConfigMapping, disable_fake_quant, disable_observer
    from torch.ao.quantization import enable_fake_quant, enable_observer
    from torch.ao.quantization.fake_quantize import (FakeQuantize, default_per_channel_weight_fake_quant,
                                                     default_weight_fake_quant)
    from torch.ao.quantization.observer import HistogramObserver
    from torch.ao.quantization.quantize_fx import prepare_qat_fx
    import export_torch_qdq

    act = FakeQuantize.with_args(observer=HistogramObserver, quant_min=0, quant_max=255, dtype=torch.quint8,
                                 qscheme=torch.per_tensor_affine)
    weight = default_per_channel_weight_fake_quant if mode == "static" else default_weight_fake_quant
    mapping = QConfigMapping().set_global(QConfig(activation=act, weight=weight))
    example = (torch.from_numpy(calib[:1]),)
    # The ONNX-built module has no BatchNorm or Dropout, so train() only satisfies prepare_qat_fx.
    fq = prepare_qat_fx(copy.deepcopy(float_model).train(), mapping, example)
    fq.apply(disable_fake_quant)
    fq.apply(enable_observer)
    with torch.no_grad():
        fq(torch.from_numpy(calib))
    fq.apply(disable_observer)
    fq.apply(enable_fake_quant)
    fq.eval()
    torch.onnx.export(fq, example, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
    m = onnx.load(path)
    export_torch_qdq.scalarize_qparams(m)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return fq


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="cnn,mobilenet,resnet", help="comma-separated names under models/")
    p.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of " + ",".join(MODES))
    p.add_argument("--calib", default=os.path.join(ROOT, "models", "calib", "fashion_train100.npy"))
    p.add_argument("--qconfig", default="fbgemm", choices=QCONFIGS,
                   help="get_default_qconfig_mapping(QCONFIG) (observers, hence all qparams)")
    p.add_argument("--engine", default="auto", help="torch.backends.quantized.engine (auto: fbgemm if built, "
                   "else onednn)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--test-images", type=int, default=10000)
    p.add_argument("--export-qdq", metavar="DIR",
                   help="also write DIR/NAME_MODE_torch_qdq.onnx for the static modes (see export_qdq)")
    p.add_argument("--print-graph", action="store_true", help="print each converted FX graph to stderr")
    args = p.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    bad = [m for m in modes if m not in MODES]
    if bad:
        p.error(f"unknown mode(s) {bad}")
    torch.set_num_threads(args.threads)
    # The fbgemm/x86 qconfigs still pass reduce_range=True, which 1.13 flags as deprecated on every observer.
    warnings.filterwarnings("ignore", message="Please use quant_min and quant_max")
    engine = pick_engine(args.engine)
    torch.backends.quantized.engine = engine
    command = " ".join(["/usr/bin/python3", "tools/torch_ptq.py"] + [shlex.quote(a) for a in sys.argv[1:]])

    calib = np.load(args.calib)
    if calib.dtype != np.float32 or calib.ndim != 4 or calib.shape[1:] != (1, 28, 28):
        sys.exit(f"{args.calib}: expected float32 [N,1,28,28], got {calib.dtype} {calib.shape}")
    x, y = fashion_mnist.load_split("t10k")
    x, y = x[:args.test_images], y[:args.test_images]

    for name in [m for m in args.models.split(",") if m]:
        float_model = onnx_to_torch.build(os.path.join(ROOT, "models", f"{name}.onnx"))
        float_top1 = onnx_to_torch.evaluate_top1(float_model, x, y)
        for mode in modes:
            start = time.time()
            qmodel = quantize(float_model, mode, calib, args.qconfig)
            quant_seconds = time.time() - start
            if args.print_graph:
                print(f"--- {name} {mode}\n{qmodel}", file=sys.stderr)
            quant_top1 = onnx_to_torch.evaluate_top1(qmodel, x, y)
            print(json.dumps({
                "model": name, "mode": mode, "qconfig": args.qconfig, "engine": engine,
                "float_top1": round(float_top1, 4), "quant_top1": round(quant_top1, 4),
                "delta_points": round(100 * (quant_top1 - float_top1), 2),
                "calib_images": 0 if mode == "dynamic" else len(calib), "test_images": len(x),
                "quantize_seconds": round(quant_seconds, 2),
                "total_seconds": round(time.time() - start, 2),
                "torch": torch.__version__, "command": command,
            }), flush=True)
            if args.export_qdq and mode != "dynamic":
                os.makedirs(args.export_qdq, exist_ok=True)
                path = os.path.join(args.export_qdq, f"{name}_{mode}_torch_qdq.onnx")
                start = time.time()
                fq = export_qdq(float_model, mode, calib, path)
                print(json.dumps({
                    "model": name, "mode": f"{mode}-qdq-export", "file": path,
                    "float_top1": round(float_top1, 4),
                    "fake_quant_top1": round(onnx_to_torch.evaluate_top1(fq, x, y), 4),
                    "calib_images": len(calib), "test_images": len(x),
                    "total_seconds": round(time.time() - start, 2), "command": command,
                }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
