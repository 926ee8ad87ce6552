#!/usr/bin/env bash
# Controller vs baselines on real data: PPO, random search and regularized evolution with the same
# trial budget and seeds, on Fashion-MNIST with the real proxy (a short training of every
# sampled model) and latency predicted by this machine's lookup table (so that the figure does not
# move with what else the machine runs). Writes docs/experiments/controller_vs_baselines.svg
# (best reward and Pareto hypervolume over trials, mean of the seeds) and .md (the table).
#
#   bash experiments/controller_vs_baselines.sh [TRIALS] [SEEDS]
#   (defaults 48 and "1 2 3"; 2,000 proxy images: ~11 s a trial with THREADS=1, ~80 min)
source "$(dirname "$0")/common.sh"
TRIALS="${1:-48}"
SEEDS="${2:-1 2 3}"
PROXY=(--train-images 2000 --holdout 1000)
ensure_lut
stores=()
for seed in $SEEDS; do
  for strategy in ppo random evolution; do
    store="$OUT/cvb-$strategy-$seed.db"
    log "controller_vs_baselines: $strategy seed $seed ($TRIALS trials)"
    search "$store" "$TRIALS" --strategy "$strategy" --seed "$seed" \
      --latency "lut:$OUT/lut.json" "${PROXY[@]}"
    stores+=("$strategy:$store")
  done
done
python3 "$ROOT/experiments/analyze.py" strategies --out "$DOCS/controller_vs_baselines" \
  --trials "$TRIALS" "${stores[@]}"
