#!/usr/bin/env bash
# bash bench/int8_vs_ort.sh [MODELS] [ROUNDS] [MNAS] — int8 against fp32 at 224x224x3, and mnas's
# int8 network against ONNX Runtime running the same QDQ file, in one run, pinned to CPU 1, one
# thread. Defaults: "mobilenetv2 mnasnet-a1", 2 rounds, build/mnas.
#
# A QDQ file needs a calibrated checkpoint, and Fashion-MNIST has one channel: each model is
# trained for one short proxy epoch on 64 random RGB images (10 classes, an image folder made
# here; the weights' values do not change the timings) at 224x224x3, then exported at fp32 and
# at int8 (`mnas export --precision int8`, calibrated on those 64 images). Each round times, one
# after the other, ONNX Runtime (npm onnxruntime-node, bench/ort_setup.sh) on both files and mnas
# (`mnas latency --input 224x224x3 --classes 10 [--precision int8] --cpu 1`); the medians of
# each round and, per model, the ratios of their medians over the rounds.
set -euo pipefail
MODELS=${1:-mobilenetv2 mnasnet-a1}
ROUNDS=${2:-2}
MNAS=${3:-build/mnas}
source bench/ort_setup.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp/data" <<'PY'
import os, random, sys
from PIL import Image
random.seed(1)
for c in range(10):
    os.makedirs(f"{sys.argv[1]}/class{c}")
    for i in range(7):
        pixels = bytes(random.getrandbits(8) for _ in range(64 * 64 * 3))
        Image.frombytes("RGB", (64, 64), pixels).save(f"{sys.argv[1]}/class{c}/{i}.png")
PY

results="$tmp/results.jsonl"
for model in $MODELS; do
  echo "int8_vs_ort: $model: a short training at 224x224x3 to calibrate on, then both files" >&2
  "$MNAS" train "$model" --input 224x224x3 --classes 10 --dataset "folder:$tmp/data" \
    --recipe proxy --epochs 1 --train-images 64 --holdout 6 --batch 16 --out "$tmp/$model.ckpt" \
    >/dev/null 2>"$tmp/train.log" || { tail -3 "$tmp/train.log" >&2; exit 1; }
  "$MNAS" export "$tmp/$model.ckpt" --out "$tmp/$model.fp32.onnx" >/dev/null
  "$MNAS" export "$tmp/$model.ckpt" --precision int8 --calibration-images 64 \
    --out "$tmp/$model.int8.onnx" >/dev/null
  for round in $(seq "$ROUNDS"); do
    for precision in fp32 int8; do
      ort=$(taskset -c 1 node bench/ort_timer.js "$tmp/$model.$precision.onnx" 1,3,224,224 3)
      mnas=$("$MNAS" latency "$model" --input 224x224x3 --classes 10 --precision "$precision" \
        --cpu 1 --json 2>/dev/null)
      /usr/bin/python3 -c 'import json, sys
print(json.dumps({"model": sys.argv[1], "precision": sys.argv[2],
                  "ort_ms": json.loads(sys.argv[3])["median_ms"],
                  "mnas_ms": json.loads(sys.argv[4])["median_ms"]}))' \
        "$model" "$precision" "$ort" "$mnas" >>"$results"
    done
    echo "int8_vs_ort: $model round $round/$ROUNDS done" >&2
  done
done

/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("224x224x3, 10 classes, one thread on CPU 1; median ms of each round\n")
print(f"{'model':<14} {'engine':<22} {'fp32 ms':>16} {'int8 ms':>16} {'int8 speed-up':>14}")
for model in dict.fromkeys(r["model"] for r in rows):
    these = [r for r in rows if r["model"] == model]
    med = {}
    for engine, key in (("mnas (XNNPACK)", "mnas_ms"), ("ONNX Runtime (QDQ)", "ort_ms")):
        times = {p: [r[key] for r in these if r["precision"] == p] for p in ("fp32", "int8")}
        med[key] = {p: statistics.median(v) for p, v in times.items()}
        cell = {p: ", ".join(f"{t:.2f}" for t in v) for p, v in times.items()}
        print(f"{model:<14} {engine:<22} {cell['fp32']:>16} {cell['int8']:>16} "
              f"{med[key]['fp32'] / med[key]['int8']:>13.2f}x")
    print(f"{model:<14} mnas int8 / ONNX Runtime int8: {med['mnas_ms']['int8'] / med['ort_ms']['int8']:.2f}"
          f"  (fp32: {med['mnas_ms']['fp32'] / med['ort_ms']['fp32']:.2f})")
PY
