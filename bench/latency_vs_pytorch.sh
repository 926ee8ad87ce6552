#!/usr/bin/env bash
# Benchmark (not a test): single-thread batch-1 latency of `mnas latency` (XNNPACK) against Python
# PyTorch eager (no_grad, eval, NCHW and channels-last, glibc malloc tuned as in shared/facts.md,
# OpenBLAS's own choice of kernels),
# measured side by side in one invocation. The machine is shared and its speed drifts by ±10%
# over minutes, so each model is measured in ROUNDS rounds, each round running mnas, the NCHW peer
# and the channels-last peer back to back; the table gives the median over rounds of each.
#
#   ROUNDS=5 bash bench/latency_vs_pytorch.sh [MODEL...]
#   (default: 3 rounds; mnasnet-a1 mnasnet-b1 mobilenetv2)
set -euo pipefail
cd "$(dirname "$0")/.."
MNAS=./build/mnas
PY=/usr/bin/python3  # Debian's, with python3-torch
ROUNDS=${ROUNDS:-3}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(mnasnet-a1 mnasnet-b1 mobilenetv2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
# PyTorch's small convolutions and its classifier go through OpenBLAS. An OPENBLAS_CORETYPE left in
# the environment (this machine's sessions set Haswell: AVX2 kernels) slows the peer by 20-25%
# (A1: 11.4-11.8 ms against 8.6-9.8 ms with the AVX-512 kernels OpenBLAS picks on its own), so the
# peer gets OpenBLAS's own choice. XNNPACK picks its kernels itself.
unset OPENBLAS_CORETYPE
core=$($PY -c 'import ctypes, torch  # torch loads the OpenBLAS it uses
lib = ctypes.CDLL("libopenblas.so.0"); lib.openblas_get_corename.restype = ctypes.c_char_p
print(lib.openblas_get_corename().decode())' 2>/dev/null || echo unknown)
echo "peer: PyTorch eager, one thread, no_grad, eval; OpenBLAS kernels for $core"

printf '%-14s %9s %9s %12s %10s %10s %7s %13s %s\n' model "mnas ms" "mnas cv" "pytorch ms" "pt-cl ms" \
  "vs NCHW" "vs cl" "params equal" "  NCHW rounds"
for m in "${models[@]}"; do
  "$MNAS" describe "$m" --json > "$tmp/d.json"
  $PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["architecture"]))' "$tmp/d.json" > "$tmp/arch.json"
  : > "$tmp/rounds"
  for ((r = 1; r <= ROUNDS; r++)); do
    ours=$("$MNAS" latency "$m" --json --min-secs 2 2>/dev/null)
    peer=$($PY bench/pytorch_peer.py latency "$tmp/arch.json" --min-secs 2)
    peer_cl=$($PY bench/pytorch_peer.py latency "$tmp/arch.json" --min-secs 2 --channels-last)
    $PY -c 'import json,sys; print(json.dumps([json.loads(a) for a in sys.argv[1:]]))' \
      "$ours" "$peer" "$peer_cl" >> "$tmp/rounds"
  done
  $PY - "$m" "$tmp/rounds" "$tmp/d.json" <<'PYEOF'
import json, statistics, sys
m, rounds, d = sys.argv[1], [json.loads(l) for l in open(sys.argv[2])], json.load(open(sys.argv[3]))
med = lambda i, k="median_ms": statistics.median(r[i][k] for r in rounds)
ours, peer, peer_cl = med(0), med(1), med(2)
# Each round's own ratio (both sides measured within seconds of each other): their spread says how
# much of a ratio is the machine's drift rather than the engines.
ratios = sorted(r[1]["median_ms"] / r[0]["median_ms"] for r in rounds)
lo, hi = ratios[0], ratios[-1]
print(f"{m:14s} {ours:9.3f} {med(0, 'cv'):9.3f} {peer:12.3f} {peer_cl:10.3f} {peer / ours:9.2f}x "
      f"{peer_cl / ours:6.2f}x {str(rounds[0][1]['params'] == d['params']):>13s}   {lo:.2f}-{hi:.2f}x")
PYEOF
done
echo "each figure: the median over $ROUNDS rounds of each side's median; vs = PyTorch's median / mnas's;"
echo "NCHW rounds: the lowest and highest of the rounds' own NCHW ratios"
