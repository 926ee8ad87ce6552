"""An mnas architecture (its JSON: `mnas describe ARCH --json` prints it under "architecture", and
an `--evaluator cmd:` trial gets it in trial.json) as a torch.nn.Module, with the same layer rules
as src/space/layer_plan.h: the first layer of a block takes the stride and the channel change,
identity residuals only where shapes match, a pool skip otherwise averages and projects.

    from mnas_torch import build, input_shape
    model = build(arch)          # NCHW input of input_shape(arch) = (height, width, channels)
"""
import math

import torch
from torch import nn


def conv_bn(cin, cout, k, stride, groups=1, relu=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout, momentum=0.01, eps=1e-3)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, channels, reduced):
        super().__init__()
        self.reduce = nn.Conv2d(channels, reduced, 1)
        self.expand = nn.Conv2d(reduced, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.expand(torch.relu(self.reduce(s))))


class Layer(nn.Module):
    def __init__(self, block, cin, stride):
        super().__init__()
        op, k, cout = block["op"], block["kernel"], block["filters"]
        se = block.get("se_ratio", 0.0)
        reduced = max(1, math.floor(cin * se)) if se > 0 else 0
        body = []
        if op == "conv":
            body.append(conv_bn(cin, cout, k, stride))
            if reduced:
                body.append(SqueezeExcite(cout, reduced))
        elif op == "dconv":
            body.append(conv_bn(cin, cin, k, stride, groups=cin))
            if reduced:
                body.append(SqueezeExcite(cin, reduced))
            body.append(conv_bn(cin, cout, 1, 1, relu=False))
        else:
            mid = cin * block["expansion"]
            body.append(conv_bn(cin, mid, 1, 1))
            body.append(conv_bn(mid, mid, k, stride, groups=mid))
            if reduced:
                body.append(SqueezeExcite(mid, reduced))
            body.append(conv_bn(mid, cout, 1, 1, relu=False))
        self.body = nn.Sequential(*body)
        keeps = stride == 1 and cin == cout
        skip = block.get("skip", "identity")
        self.mode = "none"
        self.shortcut = None
        if skip in ("identity", "pool") and keeps:
            self.mode = "identity"
        elif skip == "pool":
            self.mode = "pool"
            parts = []
            if stride > 1:
                parts.append(nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False))
            if cin != cout:
                parts.append(conv_bn(cin, cout, 1, 1, relu=False))
            self.shortcut = nn.Sequential(*parts)

    def forward(self, x):
        y = self.body(x)
        if self.mode == "identity":
            return y + x
        if self.mode == "pool":
            return y + self.shortcut(x)
        return y


def build(arch):
    inp = arch["input"]
    channels = inp["channels"] if isinstance(inp, dict) else int(inp.split("x")[2])
    layers = [conv_bn(channels, arch["stem"]["filters"], 3, arch["stem"]["stride"])]
    cin = arch["stem"]["filters"]
    for block in arch["blocks"]:
        for i in range(block["layers"]):
            layers.append(Layer(block, cin, block["stride"] if i == 0 else 1))
            cin = block["filters"]
    head = arch["head"]["filters"]
    layers.append(conv_bn(cin, head, 1, 1))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Dropout(arch["dropout"]), nn.Linear(head, arch["classes"]))


def input_shape(arch):
    inp = arch["input"]
    if isinstance(inp, dict):
        return inp["height"], inp["width"], inp["channels"]
    return tuple(int(v) for v in inp.split("x"))
