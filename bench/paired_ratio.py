#!/usr/bin/env python3
"""How repeatable is LAT/T? A plain median against T measured once, versus a ratio measured
alternately with T in one measurement (what `mnas search --target MODEL` uses).

Each round measures the candidate alone (`mnas latency`), then candidate and target alternately
(`mnas latency --versus`). T for the plain figure is the target's median from the first round,
as a search that measures T once at its start would have it. Prints, over the rounds, the spread
(CV, min-max) of: the plain median, plain median / T(first round), and the paired ratio. Run it on
a busy machine (or with --load N busy-loop processes that come and go) to see the difference.

  python3 bench/paired_ratio.py [--mnas build/mnas] [--rounds 12] [--load 1] [--candidate mnasnet-small]
"""
import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import time


def busy(seconds):
    end = time.time() + seconds
    x = 0
    while time.time() < end:
        x += 1


def latency(mnas, args):
    out = subprocess.run([mnas, "latency", *args, "--json", "--min-secs", "0.3", "--max-secs", "3"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def spread(values):
    mean = statistics.mean(values)
    cv = statistics.pstdev(values) / mean if mean else 0.0
    return f"CV {100 * cv:5.1f}%  range {min(values):.4f}-{max(values):.4f} (max/min {max(values) / min(values):.2f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnas", default="build/mnas")
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--candidate", default="mnasnet-small")
    ap.add_argument("--target", default="mobilenetv2")
    ap.add_argument("--input", default="28x28x1")
    ap.add_argument("--load", type=int, default=0,
                    help="busy-loop processes started on odd rounds (a machine whose speed changes)")
    args = ap.parse_args()
    common = ["--input", args.input, "--classes", "10"]
    plain, plain_ratio, paired = [], [], []
    t0 = None
    for r in range(args.rounds):
        hogs = []
        if args.load and r % 2 == 1:
            hogs = [multiprocessing.Process(target=busy, args=(60,)) for _ in range(args.load)]
            for h in hogs:
                h.start()
        a = latency(args.mnas, [args.candidate, *common])
        if t0 is None:
            t0 = latency(args.mnas, [args.target, *common])["median_ms"]
        p = latency(args.mnas, [args.candidate, *common, "--versus", args.target])
        for h in hogs:
            h.terminate()
        plain.append(a["median_ms"])
        plain_ratio.append(a["median_ms"] / t0)
        paired.append(p["ratio_median"])
        print(f"round {r + 1:2d}{' (loaded)' if hogs else '         '}: plain {a['median_ms']:.4f} ms, "
              f"plain/T0 {plain_ratio[-1]:.4f}, paired ratio {paired[-1]:.4f} "
              f"(T alongside {p['versus']['median_ms']:.4f} ms)", flush=True)
    print(f"\n{args.candidate} vs {args.target} at {args.input}, {args.rounds} rounds, load {args.load}:")
    print(f"  plain median          {spread(plain)}")
    print(f"  plain median / T0     {spread(plain_ratio)}")
    print(f"  paired ratio LAT/T    {spread(paired)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
