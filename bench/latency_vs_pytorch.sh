#!/usr/bin/env bash
# Benchmark (not a test): single-thread batch-1 latency of `mnas latency` (XNNPACK) against Python
# PyTorch eager (no_grad, eval, NCHW and channels-last, glibc malloc tuned as in shared/facts.md),
# measured side by side in one invocation, alternating mnas and the peer per model.
#
#   bash bench/latency_vs_pytorch.sh [MODEL...]   (default: mnasnet-a1 mnasnet-b1 mobilenetv2)
set -euo pipefail
cd "$(dirname "$0")/.."
MNAS=./build/mnas
PY=/usr/bin/python3  # Debian's, with python3-torch
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(mnasnet-a1 mnasnet-b1 mobilenetv2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296

printf '%-14s %12s %14s %18s %10s %14s\n' model "mnas ms" "pytorch ms" "pytorch cl ms" "ratio" "params equal"
for m in "${models[@]}"; do
  "$MNAS" describe "$m" --json > "$tmp/d.json"
  $PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["architecture"]))' "$tmp/d.json" > "$tmp/arch.json"
  ours=$("$MNAS" latency "$m" --json --min-secs 2 2>/dev/null | $PY -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')
  peer=$($PY bench/pytorch_peer.py latency "$tmp/arch.json" --min-secs 2)
  peer_cl=$($PY bench/pytorch_peer.py latency "$tmp/arch.json" --min-secs 2 --channels-last)
  $PY - "$m" "$ours" "$peer" "$peer_cl" "$tmp/d.json" <<'PYEOF'
import json, sys
m, ours, peer, peer_cl, d = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4]), json.load(open(sys.argv[5]))
best = min(peer["median_ms"], peer_cl["median_ms"])
print(f"{m:14s} {ours:12.3f} {peer['median_ms']:14.3f} {peer_cl['median_ms']:18.3f} {best / ours:9.2f}x {str(peer['params'] == d['params']):>14s}")
PYEOF
done
echo "ratio = the faster PyTorch layout's median / mnas's median (higher is better for mnas)"
