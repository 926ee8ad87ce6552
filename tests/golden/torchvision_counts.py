#!/usr/bin/env python3
"""Golden test: mnas's analytic parameter and multiply-add counts against torchvision's models.

Builds torchvision's mnasnet1_0 (= MnasNet-B1), mobilenet_v2 and mobilenet_v2(width_mult=1.4),
counts their parameters and, with forward hooks, the multiply-adds of every Conv2d and Linear at
224x224x3, and compares with `mnas describe NAME --json`. Exit 77 (CTest skip) without torchvision.
"""
import json
import subprocess
import sys

try:
    import torch
    import torchvision
except ImportError as e:  # python3-torchvision comes from scripts/setup.sh
    print(f"skipped: {e}")
    sys.exit(77)

MNAS = sys.argv[1]


def torch_counts(model):
    params = sum(p.numel() for p in model.parameters())
    macs = 0

    def hook(module, _inputs, output):
        nonlocal macs
        if isinstance(module, torch.nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            macs += k * module.in_channels // module.groups * module.out_channels * output.shape[2] * output.shape[3]
        elif isinstance(module, torch.nn.Linear):
            macs += module.in_features * module.out_features

    for m in model.modules():
        m.register_forward_hook(hook)
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return params, macs


def mnas_counts(name):
    out = subprocess.run([MNAS, "describe", name, "--json"], check=True, capture_output=True, text=True)
    j = json.loads(out.stdout)
    return j["params"], j["macs"]


failures = 0
for name, model in [
    ("mnasnet-b1", torchvision.models.mnasnet1_0()),
    ("mobilenetv2", torchvision.models.mobilenet_v2()),
    ("mobilenetv2-1.4", torchvision.models.mobilenet_v2(width_mult=1.4)),
]:
    want = torch_counts(model)
    got = mnas_counts(name)
    status = "ok" if got == want else "MISMATCH"
    failures += got != want
    print(f"{name:16s} mnas params {got[0]:>9,} macs {got[1]:>12,} | torchvision params {want[0]:>9,} macs {want[1]:>12,}  {status}")
sys.exit(1 if failures else 0)
