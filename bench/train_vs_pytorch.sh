#!/usr/bin/env bash
# Benchmark (not a test): training images/s of mnas (LibTorch C++) against Python PyTorch on the
# same architecture, input, batch, thread count, memory format and device, side by side in one
# invocation (alternating, several rounds; medians). Both get the tuned glibc allocator
# (shared/facts.md).
#
#   bash bench/train_vs_pytorch.sh [MODEL] [ROUNDS] [--device cpu|cuda[:K]] [--batch N]
#                                  [--threads N] [--step mnas|torch]
#   (default: mnasnet-a1 at 28x28x1, 3 rounds, cpu, batch 128, 2 threads)
# PYTHON (default /usr/bin/python3, Debian's torch) picks the peer's interpreter, BUILD (default
# build) the mnas build folder: on a GPU machine, PYTHON=python3 BUILD=build-gpu.
set -euo pipefail
cd "$(dirname "$0")/.."
positional=()
device=cpu; batch=128; threads=2; step=mnas
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --step) step=$2; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    -*) echo "train_vs_pytorch.sh: unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
model=${positional[0]:-mnasnet-a1}
rounds=${positional[1]:-3}
PY=${PYTHON:-/usr/bin/python3}
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
"$BUILD/mnas" describe "$model" --input 28x28x1 --classes 10 --json > "$tmp/d.json"
$PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["architecture"]))' "$tmp/d.json" > "$tmp/arch.json"
# More steps on a GPU: a step takes milliseconds there.
steps=30; warmup=5
case "$device" in cuda*) steps=200; warmup=20 ;; esac
field() { $PY -c 'import json,sys; print(json.load(sys.stdin)["images_per_second"])'; }
ours=(); peer=()
for r in $(seq "$rounds"); do
  ours+=("$("$BUILD/bench/train_throughput" "$model" --input 28x28x1 --classes 10 --threads "$threads" \
            --batch "$batch" --steps "$steps" --warmup "$warmup" --device "$device" --step "$step" | field)")
  peer+=("$($PY bench/pytorch_peer.py train "$tmp/arch.json" --threads "$threads" --batch "$batch" \
            --steps "$steps" --warmup "$warmup" --device "$device" | field)")
  echo "round $r: mnas ${ours[-1]} img/s, pytorch ${peer[-1]} img/s"
done
$PY - "${ours[*]}" "${peer[*]}" "$model" "$batch" "$threads" "$device" "$step" <<'PYEOF'
import statistics, sys
ours = [float(v) for v in sys.argv[1].split()]
peer = [float(v) for v in sys.argv[2].split()]
m, p = statistics.median(ours), statistics.median(peer)
model, batch, threads, device, step = sys.argv[3:8]
print(f"{model} 28x28x1 batch {batch}, {threads} threads, {device}, channels-last, step {step}: "
      f"mnas {m:.0f} img/s, PyTorch {p:.0f} img/s, ratio {m / p:.2f}x")
PYEOF
