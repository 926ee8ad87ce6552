#!/usr/bin/env bash
# Where a search trial's time goes on a GPU (docs/gpu.md), in one go on a machine with an NVIDIA
# GPU, a CUDA-enabled PyTorch at python3 and no package registry (the .debs of
# scripts/gpu_debs.sh in DEBS): builds mnas and bench/gpu_trial_setup (scripts/gpu_build.sh),
# then, each in a fresh process, the per-architecture set-up under each GPU setting (train/
# train_device.h), the proxy recipe's accuracy on the GPU and the CPU, several trials trained at
# once (4 and 8 processes), and a real search.
# Stages that would start after BUDGET seconds are skipped. Logs and summary.txt go to OUT.
#
#   bash scripts/gpu_profile.sh OUT [DEBS] [BUDGET] [LUT]   (~8 minutes on 16 cores + one H200)
# LUT: a lookup table (mnas lut build) for the search's predicted latency; without it the search
# measures latency on this machine's CPU.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: gpu_profile.sh OUT [DEBS] [BUDGET] [LUT]}
debs=${2:-build-gpu-debs}
budget=${3:-470}
lut=${4:-}
source scripts/gpu_stages.sh

stage "machine"
{ nvidia-smi -L; echo "cores $(nproc)"; python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'; } 2>&1 | tee -a "$summary"

stage "build"
s=$(date +%s)
bash scripts/gpu_build.sh "$debs" build-gpu mnas gpu_trial_setup > "$out/build.log" 2>&1
say "build rc $? in $(( $(date +%s) - s )) s"
grep -E "error" "$out/build.log" | head -20 | tee -a "$summary"
export LD_LIBRARY_PATH=$PWD/build-gpu/prefix/usr/lib/x86_64-linux-gnu
data=$PWD/build-gpu/prefix/usr/share/datasets/fashion-mnist
profile=build-gpu/bench/gpu_trial_setup

run() {  # run NAME SECONDS [ENV...] -- ARGS...: one gpu_trial_setup process, its lines kept
  local name=$1 limit=$2; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local s=$(date +%s)
  env "${envs[@]}" timeout "$limit" "$profile" --data-dir "$data" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  say "-- $name (${envs[*]:-default}) rc $rc in $(( $(date +%s) - s )) s"
  grep -vE "^trial [0-9]+:" "$out/$name.log" | tee -a "$summary"
}

stage "default settings: conv first calls, 3 new architectures twice, A1 parity over 5 seeds" &&
  run default 120 -- --part conv,trials,parity --archs 3
stage "cuDNN's v8 API (a plan per new layer shape)" &&
  run v8 90 MNAS_GPU_CUDNN_API=v8 -- --part conv,trials --archs 3

for n in 4 8; do
  stage "$n processes at once, 4 new architectures each" && {
    s=$(date +%s)
    for p in $(seq "$n"); do
      timeout 100 "$profile" --data-dir "$data" --part trials --archs 4 --seed $((20 + p)) \
        --threads 2 > "$out/concurrent${n}_$p.log" 2>&1 &
    done
    wait
    say "$n processes: $(( $(date +%s) - s )) s wall for $((4 * n)) new architectures (+$((4 * n)) repeats, +$n warm-ups)"
    grep -h "^trials:" "$out/concurrent${n}_"*.log | tee -a "$summary"
  }
done

stage "a real search (stopped after 70 s)" && {
  rm -f "$out/search.db"*
  args=(--store "$out/search.db" --trials 400 --train-device cuda --data-dir "$data")
  [ -n "$lut" ] && args+=(--latency "lut:$lut")
  s=$(date +%s)
  timeout -s INT 70 build-gpu/mnas search "${args[@]}" > "$out/search.log" 2>&1
  say "search rc $? after $(( $(date +%s) - s )) s"
  python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("select seconds, accuracy from trials order by id").fetchall()
secs = sorted(r[0] for r in rows)
print("trials", len(rows), "| trial s (latency included): median %.2f, mean %.2f, max %.2f" % (secs[len(secs)//2], sum(secs)/len(secs), secs[-1]) if rows else "no trials")' \
    "$out/search.db" 2>&1 | tee -a "$summary"
  grep -E "^mnas: search time" "$out/search.log" | tail -2 | tee -a "$summary"
}
stage "NCHW" && run nchw 40 MNAS_GPU_LAYOUT=nchw -- --part conv,trials --archs 2
stage "cuDNN benchmark mode" && run benchmark 70 MNAS_GPU_CUDNN=benchmark -- --part conv,trials --archs 2
say "== done in $(( $(date +%s) - t0 )) s"
