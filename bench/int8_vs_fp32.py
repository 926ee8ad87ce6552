#!/usr/bin/env python3
"""int8 against fp32 on this machine, same run: every zoo model at 224x224x3 (1,000 classes)
timed by mnas on XNNPACK in fp32 and in int8, alternately, `--rounds` times each, pinned to one
CPU, one thread; prints each model's median latencies and the speed-up fp32 / int8 (issue 32's
goal: ≥ 1.5 on MobileNetV2 and MnasNet-A1).

    PYTHONPATH=build/python /usr/bin/python3 bench/int8_vs_fp32.py [--cpu 1] [--rounds 3]

int8 here: per-channel int8 weights, per-tensor int8 activations, average pooling in fp32
between conversions, the input and logits converted inside (latency/xnnpack_int8.h).
"""
import argparse
import statistics
import sys

import mnas


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpu", type=int, default=1, help="the logical CPU to pin to (-1: none)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--input", default="224x224x3")
    parser.add_argument("--models", default=",".join(mnas.zoo_names()))
    args = parser.parse_args()
    protocol = {"preset": "latency", "cpu": args.cpu}
    print(f"{'model':<16} {'fp32 ms':>9} {'int8 ms':>9} {'speed-up':>9}")
    for name in args.models.split(","):
        arch = mnas.architecture(name, input=args.input, classes=1000)
        times = {"fp32": [], "int8": []}
        for _ in range(args.rounds):
            for precision in ("fp32", "int8"):
                r = mnas.measure_latency(arch, protocol=protocol, precision=precision)
                times[precision].append(r["median_ms"])
        fp32, int8 = statistics.median(times["fp32"]), statistics.median(times["int8"])
        print(f"{name:<16} {fp32:>9.2f} {int8:>9.2f} {fp32 / int8:>8.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
