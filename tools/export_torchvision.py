#!/usr/bin/python3
"""Exports randomly initialised reference architectures to ONNX (opset 13).

  tools/export_torchvision.py --arch {mobilenet_v2,resnet18,shufflenet_v2,residual_concat} --out DIR/NAME.onnx [--opset N]

mobilenet_v2 and resnet18 are torchvision's architectures with seeded random
weights (no pretrained weights are available offline), in eval mode, exported
at 1x3x224x224 with a dynamic batch dim "batch". Before export, BatchNorm
running statistics are re-estimated from a few seeded random batches: with
torchvision's default init (running mean 0, var 1) activations grow or
shrink layer after layer, and a cross-check on near-overflowing or near-zero
values says little. The statistics make each BN normalize what it sees, as a
trained network's would.

shufflenet_v2 (torchvision's shufflenet_v2_x0_5) exports its channel shuffle
and channel split as Shape/Gather/Slice/Reshape/Transpose chains on the
dynamic batch: the case where shapes are only known at run time.

residual_concat is a small hand-written model whose ONNX graph contains
Flatten, Reshape (with a batch-dependent shape computed by Shape/Gather/
Concat), Concat and a residual Add, at input [batch,3,16,16].

These files are too large to commit; tests generate them into the build tree.
"""
import argparse
import os
import sys

import torch
from torch import nn

OPSET = 13
BN_CALIBRATION_BATCHES = 4
BN_CALIBRATION_BATCH_SIZE = 8


class ResidualConcat(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 8, 3, padding=1)
        self.conv_b = nn.Conv2d(3, 8, 1)
        self.conv_res = nn.Conv2d(16, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()  # exported as ONNX Flatten
        self.fc = nn.Linear(16 * 8 * 8, 32)
        self.head = nn.Linear(4 * 8, 10)

    def forward(self, x):
        y = torch.cat([torch.relu(self.conv_a(x)), self.conv_b(x)], dim=1)  # Concat on channels
        y = torch.relu(y + self.conv_res(y))                               # residual Add
        y = self.fc(self.flatten(self.pool(y)))                            # [N, 32]
        # Reshape to [N, 4, 8] with N read from the tensor, so the exporter
        # emits Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
        z = y.reshape(y.shape[0], 4, 8)
        z = torch.cat([z[:, :2, :] * 2.0, z[:, 2:, :]], dim=1)             # Slice + Concat
        return self.head(z.reshape(z.shape[0], -1))


def build(arch):
    if arch == "residual_concat":
        return ResidualConcat(), (1, 3, 16, 16)
    import torchvision  # slow import; only needed for these two
    if arch == "mobilenet_v2":
        return torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)
    if arch == "resnet18":
        return torchvision.models.resnet18(weights=None), (1, 3, 224, 224)
    if arch == "shufflenet_v2":
        return torchvision.models.shufflenet_v2_x0_5(weights=None), (1, 3, 224, 224)
    raise ValueError(arch)


def calibrate_batchnorm(model, input_shape, gen):
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(BN_CALIBRATION_BATCHES):
            model(torch.randn((BN_CALIBRATION_BATCH_SIZE,) + input_shape[1:], generator=gen))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=["mobilenet_v2", "resnet18", "shufflenet_v2", "residual_concat"])
    p.add_argument("--opset", type=int, default=OPSET, help="ONNX opset to export (default %(default)s)")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1234)
    args = p.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    model, input_shape = build(args.arch)
    calibrate_batchnorm(model, input_shape, torch.Generator().manual_seed(args.seed + 1))
    model.eval()

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.onnx.export(
        model, torch.zeros(input_shape), args.out, opset_version=args.opset, input_names=["input"],
        output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(args.out))
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
