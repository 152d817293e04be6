"""Small Fashion-MNIST classifiers (input [N,1,28,28], output [N,10] logits).

Each architecture exercises a different set of ops for the importer, the
interpreter and (later) the quantizer:
  cnn        Conv, BatchNorm, Relu, MaxPool, Flatten, Gemm
  mobilenet  depthwise Conv (group == channels), Clip (ReLU6), residual Add,
             GlobalAveragePool
  resnet     basic blocks with BatchNorm, residual Add, strided 1x1 shortcut
"""
import torch
from torch import nn


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),  # 7x7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def _conv_bn(cin, cout, kernel, stride=1, groups=1, act=None):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act)
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise, 1x1 linear projection."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers.append(_conv_bn(cin, hidden, 1, act=nn.ReLU6()))
        layers.append(_conv_bn(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6()))
        layers.append(_conv_bn(hidden, cout, 1))
        self.body = nn.Sequential(*layers)
        self.use_residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.use_residual else y


class SmallMobileNetV2(nn.Module):
    # (expand ratio, output channels, repeats, first stride), as in the
    # MobileNetV2 paper's table but narrow and shallow for 28x28 inputs. The
    # strided stem (28 -> 14) and a single further downsampling (14 -> 7)
    # make training ~5x cheaper than running the first blocks at 28x28:
    # depthwise backward passes are slow on CPU.
    SETTINGS = [(1, 16, 1, 1), (4, 24, 2, 2), (4, 32, 2, 1), (4, 48, 1, 1)]

    def __init__(self):
        super().__init__()
        layers = [_conv_bn(1, 16, 3, stride=2, act=nn.ReLU6())]
        cin = 16
        for expand, cout, repeats, stride in self.SETTINGS:
            for i in range(repeats):
                layers.append(InvertedResidual(cin, cout, stride if i == 0 else 1, expand))
                cin = cout
        layers.append(_conv_bn(cin, 128, 1, act=nn.ReLU6()))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(128, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = _conv_bn(cin, cout, 3, stride, act=nn.ReLU())
        self.conv2 = _conv_bn(cout, cout, 3)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = _conv_bn(cin, cout, 1, stride)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


class SmallResNet(nn.Module):
    # One basic block per stage; the stride-2 stages get a 1x1 conv shortcut.
    STAGES = [(16, 1), (32, 2), (64, 2)]

    def __init__(self):
        super().__init__()
        self.stem = _conv_bn(1, 16, 3, act=nn.ReLU())
        blocks = []
        cin = 16
        for cout, stride in self.STAGES:
            blocks.append(BasicBlock(cin, cout, stride))
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


ARCHS = {"cnn": SmallCnn, "mobilenet": SmallMobileNetV2, "resnet": SmallResNet}


def build(arch):
    return ARCHS[arch]()
