#!/usr/bin/env python3
"""What ask/tell from Python costs over `mnas search`: the same search — the surrogate scoring
each trial (synthetic accuracy and latency), the same strategy, seed, batch and length — once
through mnas.Search (ask, evaluate, tell in a Python loop) and once by the CLI, alternately,
`--repeats` times each; prints each run's wall time and the median ratio (goal: ≤ 1.2).

Both include what a user waits for: the Python side from creating the search (the native module
already imported) to its last tell; the CLI's whole process (its report and results printed at
the end are a small part). Both stores are checked to hold the same trials.

    PYTHONPATH=build/python /usr/bin/python3 bench/ask_tell_overhead.py --binary build/mnas
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import mnas


def remove(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def ask_tell(path, args):
    start = time.perf_counter()
    with mnas.Search(path, {"evaluator": "surrogate", "strategy": args.strategy,
                            "batch": args.batch, "seed": args.seed}, trials=args.trials) as s:
        while (trial := s.ask()) is not None:
            s.tell(trial, **s.evaluate(trial))
    return time.perf_counter() - start


def cli(path, args):
    start = time.perf_counter()
    subprocess.run([args.binary, "search", "--store", path, "--evaluator", "surrogate",
                    "--strategy", args.strategy, "--batch", str(args.batch), "--seed",
                    str(args.seed), "--trials", str(args.trials), "--references", "none",
                    "--report", path + ".html"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def outcome(path):
    return sorted((t["step"], t["index"], t["canonical"]) for t in mnas.Store(path).trials())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/mnas")
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--strategy", default="ppo")
    parser.add_argument("--batch", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mnas.Search  # noqa: B018  (loads the search's module and LibTorch before the clock starts)
    with tempfile.TemporaryDirectory() as tmp:
        told, ran = os.path.join(tmp, "told.db"), os.path.join(tmp, "cli.db")
        python_s, cli_s = [], []
        for r in range(args.repeats):
            remove(told)
            remove(ran)
            python_s.append(ask_tell(told, args))
            cli_s.append(cli(ran, args))
            print(f"run {r + 1}: ask/tell {python_s[-1]:.2f} s, mnas search {cli_s[-1]:.2f} s, "
                  f"ratio {python_s[-1] / cli_s[-1]:.3f}", flush=True)
        if outcome(told) != outcome(ran):
            print("FAILED: the two stores hold different trials")
            return 1
    ratio = statistics.median(p / c for p, c in zip(python_s, cli_s))
    print(f"{args.trials} trials, {args.strategy}, batch {args.batch}: ask/tell from Python "
          f"median {statistics.median(python_s):.2f} s, mnas search "
          f"{statistics.median(cli_s):.2f} s: ratio {ratio:.3f} (goal ≤ 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
