#!/usr/bin/env python3
"""Exports a small Fashion-MNIST-shaped classifier at an old ONNX opset.

It exercises the ops whose ONNX signatures changed before opset 13 (Clip
bounds as attributes, Softmax's 2-D coercion, Squeeze/Unsqueeze axes as
attributes), so tests can check that `qforge quantize` rewrites them when it
writes opset 17 without changing what the model computes. Weights are seeded
random (the model is not trained): the checks compare runtimes, not accuracy.

    /usr/bin/python3 tools/export_old_opset_model.py --opset 10 --out tests/models/data/old_opset10.onnx
"""
import argparse

import torch
from torch import nn


class OldOpsetNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = torch.clamp(self.conv1(x), 0.0, 6.0)              # Clip with min/max attributes (opset < 11)
        x = nn.functional.max_pool2d(x, 2)
        x = torch.relu(self.conv2(x))
        x = x.unsqueeze(1).squeeze(1)                         # Unsqueeze/Squeeze with axes attributes (< 13)
        x = self.fc(torch.flatten(x, 1))
        return torch.softmax(x * 4.0, dim=1)                  # Softmax with 2-D coercion (< 13)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opset", type=int, default=10)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.manual_seed(5)
    model = OldOpsetNet().eval()
    x = torch.rand(1, 1, 28, 28)
    torch.onnx.export(model, x, args.out, opset_version=args.opset, input_names=["input"], output_names=["probs"],
                      dynamic_axes={"input": {0: "batch"}, "probs": {0: "batch"}})


if __name__ == "__main__":
    main()
