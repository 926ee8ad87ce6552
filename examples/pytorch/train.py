#!/usr/bin/env python3
"""A complete external trainer for `mnas search --evaluator cmd:...` (docs/evaluators.md).

mnas runs it once per trial. It reads the trial (the architecture mnas proposes) from stdin or
$MNAS_TRIAL_FILE, builds the network in PyTorch (mnas_torch.py, beside this file), trains it
briefly on Fashion-MNIST (Debian's dataset-fashion-mnist, the IDX files read directly), scores it
on images held out of the training set, and prints one JSON line with "accuracy" — plus any other
numbers, which mnas stores with the trial:

    {"accuracy": 0.71, "loss": 0.83, "train_seconds": 9.2, "images": 5000}

Everything else it prints (progress) is ignored. Exit non-zero when something is wrong: mnas
records a failed trial with the end of stderr.

    mnas search --store s.db --evaluator "cmd:python3 examples/pytorch/train.py --epochs 1"

Options: --data-dir (default /usr/share/datasets/fashion-mnist), --train-images 5000,
--holdout 2000, --epochs 1, --batch 128, --lr 0.05, --seed 1.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnas_torch import build, input_shape  # noqa: E402


def read_idx(path, magic, dims):
    """An IDX file (raw or gzip) as a uint8 tensor, its header checked."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    header = 4 + 4 * dims
    values = struct.unpack(">" + "I" * (1 + dims), data[:header])
    if values[0] != magic:
        raise ValueError(f"{path}: not an IDX file of the expected kind (magic {values[0]:#x})")
    shape = values[1:]
    count = 1
    for d in shape:
        count *= d
    if len(data) != header + count:
        raise ValueError(f"{path}: {len(data)} bytes, the header promises {header + count}")
    return torch.frombuffer(bytearray(data[header:]), dtype=torch.uint8).reshape(shape)


def find(data_dir, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(data_dir, name)):
            return os.path.join(data_dir, name)
    raise FileNotFoundError(f"{data_dir}: no {stem} or {stem}.gz")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--train-images", type=int, default=5000)
    parser.add_argument("--holdout", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    trial_file = os.environ.get("MNAS_TRIAL_FILE")
    trial = json.load(open(trial_file)) if trial_file else json.load(sys.stdin)
    arch = trial["architecture"]
    height, width, channels = input_shape(arch)
    if channels != 1 or trial["classes"] != 10:
        raise SystemExit(f"this example trains Fashion-MNIST (1 channel, 10 classes); the trial has "
                         f"{channels} channel(s) and {trial['classes']} classes")
    torch.set_num_threads(max(1, int(trial.get("threads", 1))))
    torch.manual_seed(args.seed)

    images = read_idx(find(args.data_dir, "train-images-idx3-ubyte"), 0x803, 3)
    labels = read_idx(find(args.data_dir, "train-labels-idx1-ubyte"), 0x801, 1).long()
    if args.train_images + args.holdout > len(labels):
        raise SystemExit(f"--train-images + --holdout: {args.train_images + args.holdout} is more "
                         f"than the {len(labels)} training images")
    # A fixed held-out split (the same for every trial), from the training set.
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(1))
    held, train = order[:args.holdout], order[args.holdout:args.holdout + args.train_images]

    def batch_of(index):
        x = images[index].float().div_(255).sub_(0.2860).div_(0.3530).unsqueeze(1)
        if (height, width) != tuple(x.shape[2:]):
            x = nn.functional.interpolate(x, size=(height, width), mode="bilinear",
                                          align_corners=False)
        return x, labels[index]

    model = build(arch)
    steps = args.epochs * ((len(train) + args.batch - 1) // args.batch)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                          weight_decay=4e-5)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    start = time.time()
    loss = float("nan")
    model.train()
    for epoch in range(args.epochs):
        shuffled = train[torch.randperm(len(train))]
        for i in range(0, len(shuffled), args.batch):
            x, y = batch_of(shuffled[i:i + args.batch])
            opt.zero_grad()
            out = loss_fn(model(x), y)
            out.backward()
            opt.step()
            schedule.step()
            loss = out.item()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss:.3f}", file=sys.stderr)
    if loss != loss:  # NaN: diverged
        raise SystemExit("training diverged (loss is NaN)")
    train_seconds = time.time() - start

    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(held), 500):
            x, y = batch_of(held[i:i + 500])
            correct += (model(x).argmax(1) == y).sum().item()
    print(json.dumps({"accuracy": correct / len(held), "loss": loss,
                      "train_seconds": round(train_seconds, 3), "images": len(train)}))


if __name__ == "__main__":
    main()
