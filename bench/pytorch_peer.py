#!/usr/bin/env python3
"""The Python PyTorch peer for mnas's benchmarks (never used at run time).

Builds a torch.nn.Module from an mnas architecture JSON (`mnas describe ARCH --json` prints it under
"architecture") with the same layer rules as src/space/layer_plan.h, and times it.

  pytorch_peer.py latency ARCH.json [--threads 1] [--min-runs 50] [--min-secs 1] [--max-secs 10]
      prints {"median_ms": ..., "runs": ...} for batch-1 eval inference under no_grad.
  pytorch_peer.py train ARCH.json [--threads 2] [--batch 128] [--steps 30] [--warmup 5] [--device cuda]
      prints {"images_per_second": ...} for SGD training steps (channels-last, label smoothing 0.1)
      on random data of the architecture's input shape.
Run it with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ set high (shared/facts.md), as
bench/latency_vs_pytorch.sh does, or it is a straw man.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

# The model builder is shared with the cmd: evaluator example (examples/pytorch/mnas_torch.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "pytorch"))
from mnas_torch import build, input_shape  # noqa: E402


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
    device = torch.device(args.device)
    model = build(arch).train().to(device).to(memory_format=torch.channels_last)
    h, w, c = input_shape(arch)
    x = torch.randn(args.batch, h, w, c).to(device).permute(0, 3, 1, 2)  # NHWC memory, as mnas
    y = torch.randint(0, arch["classes"], (args.batch,)).to(device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=4e-5)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    seconds = time.perf_counter() - start
    print(json.dumps({"images_per_second": args.batch * args.steps / seconds, "torch": torch.__version__,
                      "device": str(device)}))


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
    tr.add_argument("--device", default="cpu", help="cpu (default) or cuda[:K]")
    args = parser.parse_args()
    if args.command == "latency":
        latency(args)
    else:
        train(args)


if __name__ == "__main__":
    sys.exit(main())
