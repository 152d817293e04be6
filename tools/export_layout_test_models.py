#!/usr/bin/python3
"""Exports the small ONNX models that exercise the TFLite writer's layout rules.

  tools/export_layout_test_models.py [--out-dir tests/models/data/tflite]

Each model is a few seeded random layers (opset 14, input [1, 2, 8, 8], a
2-D output so a .tflite written from it can be compared with the ONNX model
without transposing) around one layout-bound construct:

  flatten_gemm      Conv -> Flatten of an 8x8 map -> Gemm (FC weight columns CHW -> HWC)
  concat_channels   two Convs concatenated on channels, residual Add, GlobalAveragePool
  softmax_channels  Softmax over the channel axis of a 4-D map, ReduceMean keepdims=0
  pools_pads        MaxPool pad 1 stride 2 (explicit PADV2), AvgPool SAME-equal pads,
                    AvgPool count_include_pad (explicit PAD)
  pad_const         Pad on H and W, then a Conv whose pads are TFLite's SAME
  binary_consts     Add / Mul with per-channel constants [C,1,1] and [1,C,1,1]
  resize            Resize nearest (asymmetric, floor) and bilinear (pytorch_half_pixel)
  slice_split       Slice on H/W with a step, Split on channels
  depthwise_mult    depthwise Conv with depth multiplier 2, dilated Conv
  transpose_fc      Transpose NCHW -> NHWC, Reshape, Gemm (a storage-identity transpose)
  conv_transpose    ConvTranspose stride 2 with VALID (k 2) and SAME-equal (k 4, pad 1) geometry
  se_gate           MobileNetV3's squeeze-excite gate: GlobalAveragePool -> Conv -> HardSigmoid,
                    multiplied into the map (HardSigmoid has no TFLite builtin: MUL, ADD, clamp)
  shape_view        x.view(x.size(0), -1) -> Linear: a Shape -> Gather -> Concat -> Reshape subgraph on a
                    static batch, which the writer folds to a constant shape

Every file is < 50 KB; the unit tests and tools read them from the repository.
"""
import argparse
import os

import torch
import torch.nn.functional as F
from torch import nn

OPSET = 14
IN_SHAPE = (1, 2, 8, 8)


class FlattenGemm(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 5)

    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.conv(x)), 1))


class ConcatChannels(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(2, 3, 3, padding=1)
        self.b = nn.Conv2d(2, 5, 1)
        self.c = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        y = torch.cat([torch.relu(self.a(x)), self.b(x)], dim=1)
        y = torch.relu(y + self.c(y))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class SoftmaxChannels(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 6, 3, padding=1)

    def forward(self, x):
        y = torch.softmax(self.conv(x), dim=1)
        return torch.softmax(y.mean(dim=(2, 3)), dim=1)


class PoolsPads(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.max = nn.MaxPool2d(3, stride=2, padding=1)
        self.avg_same = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.avg_counted = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True)
        self.fc = nn.Linear(4 * 4 * 4 * 2, 3)

    def forward(self, x):
        y = self.max(self.conv(x))
        y = torch.cat([self.avg_same(y), self.avg_counted(y)], dim=1)
        return self.fc(torch.flatten(y, 1))


class PadConst(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 9 * 11, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(F.pad(x, (1, 2, 0, 1))), 1))


class BinaryConsts(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.bias = nn.Parameter(torch.randn(4, 1, 1))
        self.gain = nn.Parameter(torch.rand(1, 4, 1, 1) + 0.5)
        self.fc = nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        y = torch.relu((self.conv(x) + self.bias) * self.gain)
        return self.fc(torch.flatten(y, 1))


class ResizeModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.down = nn.Conv2d(6, 3, 4, stride=4)
        self.fc = nn.Linear(3 * 4 * 4, 3)

    def forward(self, x):
        y = self.conv(x)
        a = F.interpolate(y, scale_factor=2, mode="nearest")
        b = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        return self.fc(torch.flatten(self.down(torch.cat([a, b], dim=1)), 1))


class SliceSplit(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 6, 3, padding=1)
        self.fc = nn.Linear(2 * 6 * 4 + 4 * 6 * 4, 3)

    def forward(self, x):
        y = self.conv(x)[:, :, 1:7, ::2]
        a, b = torch.split(y, [2, 4], dim=1)
        return self.fc(torch.cat([torch.flatten(torch.sigmoid(a), 1), torch.flatten(torch.tanh(b), 1)], dim=1))


class DepthwiseMult(nn.Module):
    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(2, 4, 3, padding=1, groups=2)
        self.dil = nn.Conv2d(4, 4, 3, padding=2, dilation=2)
        self.fc = nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        return self.fc(torch.flatten(F.hardswish(self.dil(F.leaky_relu(self.dw(x), 0.1))), 1))


class TransposeFc(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 4, 3)

    def forward(self, x):
        y = self.conv(x).permute(0, 2, 3, 1)
        return self.fc(y.reshape(1, -1))


class ConvTransposeModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.up_valid = nn.ConvTranspose2d(2, 3, 2, stride=2)
        self.up_same = nn.ConvTranspose2d(2, 3, 4, stride=2, padding=1)
        self.down = nn.Conv2d(6, 2, 4, stride=4)
        self.fc = nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        y = torch.cat([self.up_valid(x), torch.relu(self.up_same(x))], dim=1)
        return self.fc(torch.flatten(self.down(y), 1))


class ShapeView(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 8 * 8, 4)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        return self.fc(y.view(y.size(0), -1))


class SeGate(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.squeeze = nn.Conv2d(4, 4, 1)
        self.fc = nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        y = F.hardswish(self.conv(x))
        gate = F.hardsigmoid(self.squeeze(F.adaptive_avg_pool2d(y, 1)))
        return self.fc(torch.flatten(y * gate, 1))


MODELS = {
    "flatten_gemm": FlattenGemm,
    "concat_channels": ConcatChannels,
    "softmax_channels": SoftmaxChannels,
    "pools_pads": PoolsPads,
    "pad_const": PadConst,
    "binary_consts": BinaryConsts,
    "resize": ResizeModel,
    "slice_split": SliceSplit,
    "depthwise_mult": DepthwiseMult,
    "transpose_fc": TransposeFc,
    "conv_transpose": ConvTransposeModel,
    "shape_view": ShapeView,
    "se_gate": SeGate,
}


def export_with_static_shape_subgraph(model, x, path):
    """Exports with a dynamic batch (so the exporter writes Shape -> Gather ->
    Unsqueeze -> Concat -> Reshape), then pins the batch to 1: the subgraph
    stays, on a static shape, as in models exported for a fixed batch."""
    import onnx
    torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)
    m = onnx.load(path)
    for v in list(m.graph.input) + list(m.graph.output):
        v.type.tensor_type.shape.dim[0].dim_value = 1
    onnx.checker.check_model(m)
    onnx.save(m, path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "tests", "models", "data",
                                                     "tflite"))
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for i, (name, cls) in enumerate(MODELS.items()):
        torch.manual_seed(1000 + i)
        model = cls().eval()
        x = torch.randn(*IN_SHAPE)
        path = os.path.join(args.out_dir, name + ".onnx")
        if name == "shape_view":
            export_with_static_shape_subgraph(model, x, path)
        else:
            torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"],
                              output_names=["output"], do_constant_folding=True)
        print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
