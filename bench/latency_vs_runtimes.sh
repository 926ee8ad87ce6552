#!/usr/bin/env bash
# Benchmark (not a test): single-thread batch-1 latency at 224x224x3 of the same network in four
# engines, measured side by side in one invocation:
#   mnas      `mnas latency` (XNNPACK, BatchNorm folded)
#   ort       ONNX Runtime (npm onnxruntime-node, CPU, graphOptimizationLevel 'all', 1 thread)
#             on mnas's own exported ONNX file (`mnas export`)
#   opencv    OpenCV DNN 4.6 (Debian) on the same file (build/src/export/opencv_timer)
#   pytorch   Python PyTorch eager (no_grad, eval, NCHW; OpenBLAS's own kernels)
# The machine drifts by ±10% over minutes, so each model is measured in ROUNDS rounds, each
# running the four back to back; the table gives the median over rounds of each one's median.
#
#   ROUNDS=3 bash bench/latency_vs_runtimes.sh [MODEL...]   (default: mnasnet-a1 mnasnet-b1 mobilenetv2)
#   PER_KIND_ONLY=1 bash bench/latency_vs_runtimes.sh         (only the per-operator table)
#
# Needs the tests built (opencv_timer) and, once, onnxruntime-node: this script installs it into
# bench/.ort with ONNXRUNTIME_NODE_INSTALL=skip (its post-install download of GPU providers fails
# offline; the CPU library is in the package). CI never runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
MNAS=./build/mnas
OCV=./build/src/export/opencv_timer
PY=/usr/bin/python3  # Debian's, with python3-torch
ROUNDS=${ROUNDS:-3}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(mnasnet-a1 mnasnet-b1 mobilenetv2)
[ -x "$OCV" ] || { echo "build the tests first (bash scripts/build.sh): $OCV is missing" >&2; exit 1; }
source bench/ort_setup.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
# For the PyTorch peer only: OpenBLAS's own choice of kernels (bench/latency_vs_pytorch.sh).
peer_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
ort_version=$(node -e 'console.log(require("onnxruntime-node").env.versions.common)')
echo "engines: XNNPACK $(dpkg-query -W -f='${Version}' libxnnpack-dev 2>/dev/null), ONNX Runtime" \
  "$ort_version, OpenCV $(dpkg-query -W -f='${Version}' libopencv-dnn-dev 2>/dev/null)," \
  "PyTorch $($PY -c 'import torch; print(torch.__version__)'); one thread, batch 1, 224x224x3"

[ "${PER_KIND_ONLY:-0}" = 1 ] || printf '%-14s %9s %9s %9s %10s %8s %8s %9s\n' model "mnas ms" \
  "ort ms" "opencv ms" "pytorch ms" "ort/mnas" "ocv/mnas" "pt/mnas"
for m in "${models[@]}"; do
  [ "${PER_KIND_ONLY:-0}" = 1 ] && break
  "$MNAS" describe "$m" --json > "$tmp/d.json"
  $PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["architecture"]))' \
    "$tmp/d.json" > "$tmp/arch.json"
  "$MNAS" export "$m" --out "$tmp/m.onnx" >/dev/null 2>&1
  : > "$tmp/rounds"
  for ((r = 1; r <= ROUNDS; r++)); do
    ours=$("$MNAS" latency "$m" --json --min-secs 2 2>/dev/null)
    ort=$(node bench/ort_timer.js "$tmp/m.onnx" 1,3,224,224 2 | tail -1)
    ocv=$("$OCV" "$tmp/m.onnx" 1,3,224,224 50 | tail -1)
    pt=$("${peer_env[@]}" $PY bench/pytorch_peer.py latency "$tmp/arch.json" --min-secs 2)
    $PY -c 'import json,sys; print(json.dumps([json.loads(a) for a in sys.argv[1:]]))' \
      "$ours" "$ort" "$ocv" "$pt" >> "$tmp/rounds"
  done
  $PY - "$m" "$tmp/rounds" <<'PYEOF'
import json, statistics, sys
m, rounds = sys.argv[1], [json.loads(l) for l in open(sys.argv[2])]
med = [statistics.median(r[i]["median_ms"] for r in rounds) for i in range(4)]
print(f"{m:14s} {med[0]:9.3f} {med[1]:9.3f} {med[2]:9.3f} {med[3]:10.3f} "
      f"{med[1] / med[0]:7.2f}x {med[2] / med[0]:7.2f}x {med[3] / med[0]:8.2f}x")
PYEOF
done
[ "${PER_KIND_ONLY:-0}" = 1 ] ||
  echo "each figure: the median over $ROUNDS rounds of each engine's median; x/mnas > 1: mnas is faster"

# Where the gap to ONNX Runtime comes from: each engine's time per kind of operator. mnas's
# figures are its operators timed one by one (`mnas latency --profile`; their sum exceeds the
# whole network's time a little), ORT's from its own profiler over whole runs (after its fusions:
# a residual Add and the ReLUs run inside the convolutions; 'other' holds its layout reorders).
echo
echo "per kind of operator (ms per inference):"
printf '%-14s %-10s %9s %9s %8s\n' model kind "mnas ms" "ort ms" "ort/mnas"
for m in "${models[@]}"; do
  "$MNAS" export "$m" --out "$tmp/m.onnx" >/dev/null 2>&1
  "$MNAS" latency "$m" --profile --json 2>/dev/null > "$tmp/ours.json"
  node bench/ort_profile.js "$tmp/m.onnx" 1,3,224,224 30 > "$tmp/ort.json"
  $PY - "$m" "$tmp/ours.json" "$tmp/ort.json" <<'PYEOF'
import json, sys
m, ours, ort = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
kinds = {"1x1 conv": 0.0, "depthwise": 0.0, "kxk conv": 0.0, "other": 0.0}
for op in ours["operators"]:
    if op["kind"] == "conv":
        kinds["1x1 conv" if op["kernel"] == 1 else "kxk conv"] += op["median_ms"]
    elif op["kind"] == "depthwise":
        kinds["depthwise"] += op["median_ms"]
    else:
        kinds["other"] += op["median_ms"]
for k, v in kinds.items():
    o = ort["kinds"].get(k, 0.0)
    print(f"{m:14s} {k:10s} {v:9.3f} {o:9.3f} {o / v if v else float('nan'):7.2f}x")
PYEOF
done
