#!/usr/bin/env bash
# Benchmark (not a test): training images/s of mnas (LibTorch C++) against Python PyTorch on the
# same architecture, input, batch, thread count and memory format, side by side in one invocation
# (alternating, several rounds; medians). Both get the tuned glibc allocator (shared/facts.md).
#
#   bash bench/train_vs_pytorch.sh [MODEL] [ROUNDS]     (default: mnasnet-a1 at 28x28x1, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-mnasnet-a1}
rounds=${2:-3}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
./build/mnas describe "$model" --input 28x28x1 --classes 10 --json > "$tmp/d.json"
$PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["architecture"]))' "$tmp/d.json" > "$tmp/arch.json"
ours=(); peer=()
for r in $(seq "$rounds"); do
  ours+=("$(./build/bench/train_throughput "$model" --input 28x28x1 --classes 10 --threads 2 | $PY -c 'import json,sys; print(json.load(sys.stdin)["images_per_second"])')")
  peer+=("$($PY bench/pytorch_peer.py train "$tmp/arch.json" --threads 2 | $PY -c 'import json,sys; print(json.load(sys.stdin)["images_per_second"])')")
  echo "round $r: mnas ${ours[-1]} img/s, pytorch ${peer[-1]} img/s"
done
$PY - "${ours[*]}" "${peer[*]}" "$model" <<'PYEOF'
import statistics, sys
ours = [float(v) for v in sys.argv[1].split()]
peer = [float(v) for v in sys.argv[2].split()]
m, p = statistics.median(ours), statistics.median(peer)
print(f"{sys.argv[3]} 28x28x1 batch 128, 2 threads, channels-last: mnas {m:.0f} img/s, PyTorch {p:.0f} img/s, ratio {m / p:.2f}x")
PYEOF
