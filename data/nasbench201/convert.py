#!/usr/bin/python3
"""Converts the public NAS-Bench-201 accuracy and HW-NAS-Bench latency files into the one table
mnas reads (nasbench201.csv.gz here; README.md says where each column comes from).

    /usr/bin/python3 data/nasbench201/convert.py FREEREA HELP [OUT]

FREEREA: a checkout of NiccoloCavagnero/FreeREA (cached_metrics/nats/<dataset>/accuracies.csv);
HELP: a checkout of HayeonLee/HELP (data/nasbench201/str_arch2idx.pt, latency/<device>.pt).
Needs Debian's python3-torch to read the .pt pickles. The output is deterministic (gzip without a
time stamp), so converting again gives the same bytes.
"""
import csv
import gzip
import io
import os
import sys

import torch

DATASETS = [("cifar10", "cifar10"), ("cifar100", "cifar100"), ("imagenet16_120", "ImageNet16-120")]
DEVICES = ["pixel3", "raspi4", "pixel2", "samsung_a50", "samsung_s7", "essential_ph_1",
           "gold_6226", "titan_rtx_1", "eyeriss", "fpga"]
CELLS = 15625


def read_accuracies(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != CELLS:
        sys.exit(f"{path}: {len(rows)} rows, expected {CELLS}")
    acc = [None] * CELLS
    for r in rows:
        acc[int(r["index"])] = float(r["accuracy"])
    if any(a is None for a in acc):
        sys.exit(f"{path}: an index is missing")
    return acc


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    freerea, help_repo = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[3] if len(sys.argv) == 4 else os.path.join(here, "nasbench201.csv.gz")
    nb = os.path.join(help_repo, "data", "nasbench201")
    cell_of = {i: s for s, i in torch.load(os.path.join(nb, "str_arch2idx.pt")).items()}
    if sorted(cell_of) != list(range(CELLS)):
        sys.exit("str_arch2idx.pt: indices are not 0..15624")
    acc = {name: read_accuracies(os.path.join(freerea, "cached_metrics", "nats", folder,
                                              "accuracies.csv"))
           for name, folder in DATASETS}
    lat = {}
    for d in DEVICES:
        values = torch.load(os.path.join(nb, "latency", d + ".pt"))
        if len(values) != CELLS:
            sys.exit(f"latency/{d}.pt: {len(values)} values, expected {CELLS}")
        lat[d] = [float(v) for v in values]
    # The checks the issue names: index 0's cell and CIFAR-10 accuracy, the best CIFAR-10 cell,
    # Pixel 3's median latency.
    assert cell_of[0] == ("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|"
                          "skip_connect~1|skip_connect~2|"), cell_of[0]
    assert round(acc["cifar10"][0], 2) == 85.86, acc["cifar10"][0]
    assert round(max(acc["cifar10"]), 2) == 94.37, max(acc["cifar10"])
    assert round(sorted(lat["pixel3"])[CELLS // 2], 2) == 10.68

    text = io.StringIO()
    w = csv.writer(text, lineterminator="\n")
    w.writerow(["index", "cell"] + [n for n, _ in DATASETS] + DEVICES)
    for i in range(CELLS):
        w.writerow([i, cell_of[i]] + ["%.6f" % acc[n][i] for n, _ in DATASETS] +
                   ["%.6g" % lat[d][i] for d in DEVICES])
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
            g.write(text.getvalue().encode())
    print(f"{out}: {CELLS} cells, {len(DATASETS)} accuracies, {len(DEVICES)} devices, "
          f"{os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
