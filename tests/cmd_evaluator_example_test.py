#!/usr/bin/env python3
"""The documented bring-your-own-trainer example runs: `mnas search --evaluator cmd:...` with
examples/pytorch/train.py (Debian's python3-torch) on a few hundred Fashion-MNIST images; every
trial is done, with its accuracy from the script and the script's other numbers as metrics.

Usage: cmd_evaluator_example_test.py MNAS_BINARY PYTHON
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    mnas, python = sys.argv[1], sys.argv[2]
    try:
        subprocess.run([python, "-c", "import torch"], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        print("SKIPPED: no torch for", python)
        return 77
    example = os.path.join(HERE, "..", "examples", "pytorch", "train.py")
    if not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        print("SKIPPED: no /usr/share/datasets/fashion-mnist (dataset-fashion-mnist)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "s.db")
        command = f"cmd:{python} {example} --train-images 300 --holdout 100"
        r = subprocess.run([mnas, "search", "--store", store, "--evaluator", command,
                            "--trials", "2", "--batch", "2", "--references", "none",
                            "--target-ms", "5", "--work-dir", tmp],
                           capture_output=True, text=True, timeout=900)
        print(r.stderr[-3000:])
        if r.returncode != 0:
            print(f"FAILED: mnas search exited {r.returncode}")
            return 1
        out = json.loads(subprocess.run([mnas, "results", store, "--json", "--top", "5"],
                                        capture_output=True, text=True, check=True).stdout)
        trials = out["top"] if out["trials"] == 2 and out["failed"] == 0 else []
        bad = [t for t in trials if t["status"] != "done" or set(t["metrics"]) !=
               {"loss", "train_seconds", "images"} or t["metrics"]["images"] != 300 or
               not 0 <= t["accuracy"] <= 1]
        leftovers = [n for n in os.listdir(tmp) if n.startswith("mnas-trial-")]
        if len(trials) != 2 or bad or leftovers:
            print(f"FAILED: {len(trials)} trials, bad {bad}, trial folders left {leftovers}")
            return 1
        print("OK:", [(t["accuracy"], t["metrics"]) for t in trials])
        return 0


if __name__ == "__main__":
    sys.exit(main())
