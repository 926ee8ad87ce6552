#!/usr/bin/env bash
# bash bench/int8_parity.sh CKPT [MNAS] — the int8 network of a checkpoint trained on
# Fashion-MNIST (28x28x1), run by two engines on the 10,000 test images: mnas's int8 XNNPACK
# network (`mnas eval --engine xnnpack --precision int8`) and ONNX Runtime on the QDQ file of
# `mnas export --precision int8` (npm onnxruntime-node, CPU, installed once into bench/.ort as
# bench/latency_vs_runtimes.sh does). Prints both test top-1s, how often their top-1 class agrees
# and how far their logits are apart in quantization steps; the fp32 network's top-1 beside them.
# Calibration: the defaults of both commands (the same ranges); set CALIBRATION=percentile etc.
set -euo pipefail
ckpt=${1:?usage: bash bench/int8_parity.sh CKPT [MNAS]}
MNAS=${2:-build/mnas}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
calibration=()
[ -n "${CALIBRATION:-}" ] && calibration=(--calibration "$CALIBRATION")
source bench/ort_setup.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$MNAS" export "$ckpt" --precision int8 "${calibration[@]}" --out "$tmp/int8.onnx" --json >/dev/null
"$MNAS" eval "$ckpt" --engine xnnpack --precision int8 "${calibration[@]}" \
  --logits "$tmp/int8.f32" --json >"$tmp/xnnpack.json"
"$MNAS" eval "$ckpt" --engine xnnpack --json >"$tmp/fp32.json"
step=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["logits_step"])' \
  "$tmp/xnnpack.json")
node bench/ort_parity.js "$tmp/int8.onnx" "$DATA/t10k-images-idx3-ubyte.gz" \
  "$DATA/t10k-labels-idx1-ubyte.gz" "$tmp/int8.f32" "$step" >"$tmp/ort.json"
/usr/bin/python3 - "$tmp" "$ckpt" <<'PY'
import json, sys
tmp, ckpt = sys.argv[1], sys.argv[2]
x = json.load(open(f"{tmp}/xnnpack.json"))
f = json.load(open(f"{tmp}/fp32.json"))
o = json.load(open(f"{tmp}/ort.json"))
print(f"{ckpt}: test top-1 fp32 {100 * f['top1']:.2f}%, int8 XNNPACK {100 * x['top1']:.2f}% "
      f"({x['calibration']}, {x['calibration_images']} images), int8 ONNX Runtime (QDQ) "
      f"{100 * o['top1']:.2f}%: int8 - fp32 {100 * (x['top1'] - f['top1']):+.2f} pt, "
      f"ORT - XNNPACK {100 * (o['top1'] - x['top1']):+.2f} pt; same top-1 on "
      f"{100 * o['same_top1']:.2f}% of images; logits apart by {o['p99_diff_steps']:.1f} steps "
      f"(99th percentile), {o['max_diff_steps']:.1f} at most (step {x['logits_step']:.4f})")
PY
