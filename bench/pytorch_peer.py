#!/usr/bin/env python3
"""The Python PyTorch peer for mnas's benchmarks (never used at run time).

Builds a torch.nn.Module from an mnas architecture JSON (`mnas describe ARCH --json` prints it under
"architecture") with the same layer rules as src/space/layer_plan.h, and times it.

  pytorch_peer.py latency ARCH.json [--threads 1] [--min-runs 50] [--min-secs 1] [--max-secs 10]
      prints {"median_ms": ..., "runs": ...} for batch-1 eval inference under no_grad.
  pytorch_peer.py train ARCH.json [--threads 2] [--batch 128] [--steps 30] [--warmup 5]
      prints {"images_per_second": ...} for SGD training steps (channels-last, label smoothing 0.1)
      on random data of the architecture's input shape.
Run it with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ set high (shared/facts.md), as
bench/latency_vs_pytorch.sh does, or it is a straw man.
"""
import argparse
import json
import math
import statistics
import sys
import time

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


def latency(args):
    with open(args.arch) as f:
        arch = json.load(f)
    torch.set_num_threads(args.threads)
    model = build(arch).eval()
    h, w, c = input_shape(arch)
    x = torch.randn(1, c, h, w)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
    samples = []
    with torch.no_grad():
        start = time.perf_counter()
        model(x)
        while time.perf_counter() - start < 0.2:
            model(x)
        start = time.perf_counter()
        while len(samples) < args.min_runs or time.perf_counter() - start < args.min_secs:
            t = time.perf_counter()
            model(x)
            samples.append((time.perf_counter() - t) * 1e3)
            if time.perf_counter() - start > args.max_secs:
                break
    print(json.dumps({"median_ms": statistics.median(samples), "min_ms": min(samples),
                      "runs": len(samples), "params": sum(p.numel() for p in model.parameters()),
                      "torch": torch.__version__}))


def train(args):
    with open(args.arch) as f:
        arch = json.load(f)
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = build(arch).train().to(memory_format=torch.channels_last)
    h, w, c = input_shape(arch)
    x = torch.randn(args.batch, h, w, c).permute(0, 3, 1, 2)  # NHWC memory, as mnas builds it
    y = torch.randint(0, arch["classes"], (args.batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=4e-5)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    print(json.dumps({"images_per_second": args.batch * args.steps / seconds, "torch": torch.__version__}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("arch")
    lat.add_argument("--threads", type=int, default=1)
    lat.add_argument("--min-runs", type=int, default=50)
    lat.add_argument("--min-secs", type=float, default=1.0)
    lat.add_argument("--max-secs", type=float, default=10.0)
    lat.add_argument("--channels-last", action="store_true")
    tr = sub.add_parser("train")
    tr.add_argument("arch")
    tr.add_argument("--threads", type=int, default=2)
    tr.add_argument("--batch", type=int, default=128)
    tr.add_argument("--steps", type=int, default=30)
    tr.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    if args.command == "latency":
        latency(args)
    else:
        train(args)


if __name__ == "__main__":
    sys.exit(main())
