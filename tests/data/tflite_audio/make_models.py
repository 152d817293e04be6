"""Small audio-shaped ONNX models for the TFLite writer's 1-D convolution and
reflect-pad forms (tests/unit/tflite_audio_forms_test.cc). Run with
/usr/bin/python3 (torch 1.13, onnx); writes the .onnx files next to it."""
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class Conv1dStack(torch.nn.Module):
    """A strided, padded 1-D conv, a depthwise one, a dilated one with a ReLU."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv1d(2, 6, 5, stride=2, padding=2)
        self.b = torch.nn.Conv1d(6, 6, 3, padding=1, groups=6)
        self.c = torch.nn.Conv1d(6, 4, 3, dilation=2, bias=False)

    def forward(self, x):
        return self.c(torch.relu(self.b(self.a(x))))


class ReflectPadConv(torch.nn.Module):
    """Reflect padding before a 1-D conv, as a centered STFT frames audio."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(3, 5, 4, stride=2)

    def forward(self, x):
        return self.conv(F.pad(x, (3, 2), mode="reflect"))


class Frames(torch.nn.Module):
    """melspectrogram's front: [batch, samples] -> Unsqueeze -> a framing conv."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(1, 8, 16, stride=8, bias=False)

    def forward(self, x):
        return self.conv(x.unsqueeze(1))


def export(model, x, name, dynamic_axes=None):
    torch.manual_seed(0)
    model.eval()
    torch.onnx.export(model, x, os.path.join(HERE, name), input_names=["x"], output_names=["y"],
                      opset_version=13, dynamic_axes=dynamic_axes)


if __name__ == "__main__":
    torch.manual_seed(0)
    export(Conv1dStack(), torch.randn(1, 2, 32), "conv1d_stack.onnx")
    torch.manual_seed(1)
    export(ReflectPadConv(), torch.randn(1, 3, 16), "reflect_pad_conv.onnx")
    torch.manual_seed(2)
    export(Frames(), torch.randn(1, 128), "frames_dynamic.onnx", {"x": {0: "batch", 1: "samples"}})
