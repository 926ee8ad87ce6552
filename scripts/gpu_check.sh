#!/usr/bin/env bash
# The GPU checks of docs/gpu.md in one go, for a machine with an NVIDIA GPU, a CUDA-enabled
# PyTorch at python3 and no package registry (the .debs of scripts/gpu_debs.sh in DEBS): builds
# (scripts/gpu_build.sh), runs the GPU tests, mnas vs Python PyTorch training throughput on the
# same GPU, the proxy recipe on the GPU and the CPU, and a short real search training on the GPU.
# Every stage runs even when one before it failed; stages that would start after BUDGET seconds
# are skipped. Logs and a summary (summary.txt) go to OUT.
#
#   bash scripts/gpu_check.sh OUT [DEBS] [BUDGET]   (~9 minutes on 16 cores + one H100/H200)
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: gpu_check.sh OUT [DEBS] [BUDGET]}
debs=${2:-build-gpu-debs}
budget=${3:-480}
source scripts/gpu_stages.sh
json_line() {  # json_line FILE LABEL: one line of a `mnas train --json` result
  python3 -c 'import json,sys
try:
    j = json.load(open(sys.argv[1]))
    print(sys.argv[2], "top1 %.4f, training %.2f s, %.0f img/s on %s" % (j["top1"], j["seconds"], j["images_per_second"], j["train_device"]))
except Exception as e:
    print(sys.argv[2], "failed:", e)' "$1" "$2" | tee -a "$summary"
  [ -s "$1" ] || tail -2 "${1%.json}.err" | tee -a "$summary"
}

stage "machine"
{ nvidia-smi -L; echo "cores $(nproc)"; python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'; } 2>&1 | tee -a "$summary"

stage "build"
s=$(date +%s)
bash scripts/gpu_build.sh "$debs" build-gpu mnas train_throughput train_device_test train_test \
  > "$out/build.log" 2>&1
say "build rc $? in $(( $(date +%s) - s )) s"
grep -E "error|mnas: LibTorch" "$out/build.log" | head -20 | tee -a "$summary"
export LD_LIBRARY_PATH=$PWD/build-gpu/prefix/usr/lib/x86_64-linux-gnu
data=$PWD/build-gpu/prefix/usr/share/datasets/fashion-mnist
ldd build-gpu/mnas 2>&1 | grep -E "torch_cuda|not found" | tee -a "$summary"

stage "tests" && for t in train_device_test train_test; do
  timeout 200 "build-gpu/src/train/$t" > "$out/$t.log" 2>&1
  say "$t rc $?: $(grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \] [A-Z]' "$out/$t.log" | tr '\n' ' ')"
done

# What a search's trial costs on the GPU under each setting of docs/gpu.md (the same seeded
# trials each time): seconds per trial, from the store.
trial_seconds() {
  python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("select id, seconds, accuracy from trials order by id").fetchall()
print(sys.argv[2], "trial seconds", " ".join("%.1f" % r[1] for r in rows), "| accuracy", " ".join("%.3f" % r[2] for r in rows))' "$1" "$2" 2>&1 | tee -a "$summary"
}
stage "trial cost by GPU setting (3 seeded trials each)" && for setting in "" MNAS_GPU_CUDNN=off MNAS_GPU_LAYOUT=nchw; do
  rm -f "$out/trials.db"*
  env $setting timeout 150 build-gpu/mnas search --store "$out/trials.db" --trials 3 --seed 1 \
    --references none --train-device cuda --data-dir "$data" > "$out/trials_${setting:-default}.log" 2>&1
  trial_seconds "$out/trials.db" "${setting:-default}:"
done
stage "A1 proxy for 3 epochs on the GPU (the first epoch holds the process's warm-up)" && {
  timeout 90 build-gpu/mnas train mnasnet-a1 --recipe proxy --train-device cuda --epochs 3 \
    --data-dir "$data" --json > "$out/proxy_cuda_3epochs.json" 2> "$out/proxy_cuda_3epochs.err"
  json_line "$out/proxy_cuda_3epochs.json" "proxy cuda 3 epochs:"
}

export PYTHON=python3 BUILD=build-gpu
bench() {  # bench ROUNDS ARGS...: mnas vs PyTorch training throughput on the GPU
  local rounds=$1; shift
  local log="$out/bench$(echo "$*" | tr -c 'a-z0-9' '_').log"
  timeout 200 bash bench/train_vs_pytorch.sh mnasnet-a1 "$rounds" --device cuda --threads "$(nproc)" "$@" > "$log" 2>&1
  say "$(tail -1 "$log")"
  grep -q "ratio" "$log" || tail -4 "$log" | tee -a "$summary"
}

stage "proxy recipe: A1 on the GPU and on the CPU (every core), seeds 1-5" && for seed in 1 2 3 4 5; do
  for d in cuda cpu; do
    timeout 60 build-gpu/mnas train mnasnet-a1 --recipe proxy --train-device $d --seed "$seed" \
      --threads "$(nproc)" --data-dir "$data" --json > "$out/proxy_${d}_$seed.json" 2> "$out/proxy_${d}_$seed.err"
    json_line "$out/proxy_${d}_$seed.json" "proxy $d seed $seed:"
  done
done

stage "mnas vs PyTorch training throughput, batch 128" && bench 1 --batch 128

stage "a real search training on the GPU (stopped after 120 s)" && {
  rm -f "$out/search.db"
  s=$(date +%s)
  timeout -s INT 120 build-gpu/mnas search --store "$out/search.db" --trials 60 --train-device cuda \
    --data-dir "$data" > "$out/search.log" 2>&1
  say "search rc $? after $(( $(date +%s) - s )) s"
  build-gpu/mnas results "$out/search.db" 2>&1 | head -14 | tee -a "$summary"
  build-gpu/mnas results "$out/search.db" --json > "$out/results.json" 2>&1
  grep -E "^mnas: search" "$out/search.log" | head -2 | tee -a "$summary"
}

stage "a checkpoint written on the GPU, evaluated on the GPU and on the CPU" && {
  timeout 60 build-gpu/mnas train mnasnet-a1 --recipe proxy --train-device cuda --data-dir "$data" \
    --out "$out/a1.ckpt" > "$out/ckpt_train.log" 2>&1
  for d in cuda cpu; do
    timeout 60 build-gpu/mnas eval "$out/a1.ckpt" --data-dir "$data" --train-device $d 2>&1 | tail -1 | tee -a "$summary"
  done
  rm -f "$out/a1.ckpt"
}
stage "training throughput, batch 512" && bench 2 --batch 512
stage "training throughput, batch 128 with torch::optim::SGD's own step" && bench 2 --batch 128 --step torch
stage "proxy at batch 512 (lr 0.2)" && {
  timeout 60 build-gpu/mnas train mnasnet-a1 --recipe proxy --train-device cuda --batch 512 --lr 0.2 \
    --data-dir "$data" --json > "$out/proxy_cuda_b512.json" 2> "$out/proxy_cuda_b512.err"
  json_line "$out/proxy_cuda_b512.json" "proxy cuda batch 512 lr 0.2:"
}
say "== done in $(( $(date +%s) - t0 )) s"
