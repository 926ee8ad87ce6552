#!/usr/bin/env python3
"""A search with your own PyTorch training loop in charge: mnas.Search asks for a trial (the
architecture its strategy proposes), this script builds it in PyTorch (mnas_torch.py, beside
this file), trains it briefly on Fashion-MNIST (Debian's dataset-fashion-mnist, read directly)
and tells mnas the held-out accuracy; mnas measures the trial's latency on this machine, computes
MnasNet's reward, stores the trial and lets its strategy learn. The store is the one `mnas search`
writes: `mnas results STORE`, `mnas report STORE` read it.

    PYTHONPATH=build/python /usr/bin/python3 examples/pytorch/ask_tell.py --store run.db

Ctrl-C stops after the trial in progress; --resume continues with nothing told lost.
Options: --trials 6, --batch 3 (trials per strategy step), --strategy ppo, --train-images 300,
--holdout 200, --epochs 1, --lr 0.05, --data-dir (default /usr/share/datasets/fashion-mnist),
--threads (PyTorch's; default 1), --seed 1.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from mnas_torch import build, input_shape  # noqa: E402
from train import find, read_idx  # noqa: E402  (the cmd: trainer's IDX reader)

import mnas  # noqa: E402


def load_fashion_mnist(data_dir, train_images, holdout):
    images = read_idx(find(data_dir, "train-images-idx3-ubyte"), 0x803, 3)
    labels = read_idx(find(data_dir, "train-labels-idx1-ubyte"), 0x801, 1).long()
    if train_images + holdout > len(labels):
        raise SystemExit(f"--train-images + --holdout: {train_images + holdout} is more than the "
                         f"{len(labels)} training images")
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(1))
    held, train = order[:holdout], order[holdout:holdout + train_images]
    x = images.float().div_(255).sub_(0.2860).div_(0.3530).unsqueeze(1)
    return (x[train], labels[train]), (x[held], labels[held])


def train_and_score(arch, train, held, images, args):
    """Trains `arch` (architecture JSON) on the first `images` training images; returns the
    held-out accuracy and the last loss."""
    torch.manual_seed(args.seed)
    model = build(arch)
    x, y = train[0][:images], train[1][:images]
    steps = args.epochs * ((len(y) + args.batch_size - 1) // args.batch_size)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                          weight_decay=4e-5)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    loss = float("nan")
    model.train()
    for _ in range(args.epochs):
        order = torch.randperm(len(y))
        for i in range(0, len(y), args.batch_size):
            index = order[i:i + args.batch_size]
            opt.zero_grad()
            out = loss_fn(model(x[index]), y[index])
            out.backward()
            opt.step()
            schedule.step()
            loss = out.item()
    if loss != loss:
        raise FloatingPointError("training diverged (loss is NaN)")
    model.eval()
    with torch.no_grad():
        correct = (model(held[0]).argmax(1) == held[1]).sum().item()
    return correct / len(held[1]), loss


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="the search's file (SQLite)")
    parser.add_argument("--resume", action="store_true", help="continue the search in --store")
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--batch", type=int, default=3, help="trials per strategy step")
    parser.add_argument("--strategy", default="ppo")
    parser.add_argument("--train-images", type=int, default=300)
    parser.add_argument("--holdout", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, held = load_fashion_mnist(args.data_dir, args.train_images, args.holdout)

    # What the search is: the rest (reward, latency measured here against MobileNetV2, ...) are
    # mnas's defaults. The proxy's budget is this script's: each trial says how many images.
    config = {"strategy": args.strategy, "batch": args.batch, "seed": args.seed,
              "space": {"input": "28x28x1", "classes": 10},
              "proxy": {"train_images": args.train_images, "holdout": args.holdout}}
    if args.resume:
        search = mnas.Search.resume(args.store, trials=args.trials)
    else:
        search = mnas.Search(args.store, config, trials=args.trials)
    print(f"search {args.store}: {search.length} trials, strategy {search.config['strategy']}, "
          f"latency {search.config['latency']} on {search.config['devices'][0]['name']}",
          file=sys.stderr)
    with search:
        try:
            while (trial := search.ask()) is not None:
                arch = json.loads(trial.architecture.to_json())
                if input_shape(arch)[2] != 1:
                    search.tell(trial, failed="this example trains 1-channel Fashion-MNIST")
                    continue
                start = time.time()
                try:
                    accuracy, loss = train_and_score(arch, train, held, trial.train_images, args)
                except (FloatingPointError, RuntimeError) as e:
                    search.tell(trial, failed=str(e))
                    continue
                seconds = time.time() - start
                search.tell(trial, accuracy=accuracy,
                            metrics={"loss": loss, "train_seconds": round(seconds, 3)},
                            seconds=seconds)
                print(f"trial step {trial.step} #{trial.index}: accuracy {accuracy:.3f}, "
                      f"loss {loss:.3f}, {seconds:.1f} s", file=sys.stderr)
        except KeyboardInterrupt:
            print(f"stopped; every told trial is stored: add --resume to continue",
                  file=sys.stderr)
            return 130
    trials = [t for t in mnas.Store(args.store).trials() if t["status"] == "done"]
    if not trials:
        print("no trial succeeded", file=sys.stderr)
        return 1
    best = max(trials, key=lambda t: t["reward"])
    print(json.dumps({"trials": len(mnas.Store(args.store).trials()),
                      "best": {"canonical": best["canonical"], "accuracy": best["accuracy"],
                               "latency_ms": best["latency_ms"], "reward": best["reward"]}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
