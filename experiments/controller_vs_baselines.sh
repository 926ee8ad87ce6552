#!/usr/bin/env bash
# Controller vs baselines on real data: PPO, random search and regularized evolution with the same
# trial budget and seeds, on Fashion-MNIST with the real proxy (a short training of every
# sampled model) and latency predicted by this machine's lookup table (so that the figure does not
# move with what else the machine runs). Writes docs/experiments/controller_vs_baselines.svg
# (best reward and Pareto hypervolume over trials, mean of the seeds) and .md (the table).
#
#   bash experiments/controller_vs_baselines.sh [TRIALS] [SEEDS] [VARIANTS]
#   (defaults 48, "1 2 3" and "ppo random evolution ppo-nasnet-lr"; 2,000 proxy images: ~40 s a
#   trial with THREADS=1, ~35 min a search, 12 searches: ~7 h on one core; two runs side by side
#   on distinct VARIANTS halve it, and a last run with every variant draws the figure from the
#   complete stores at once)
# ppo is the controller at mnas's default learning rate (3.5e-3), ppo-nasnet-lr the same at
# NASNet's 3.5e-4, which mnas used before (the first runs of this experiment); predictor is the
# predictor-guided strategy (src/search/predictor_search.h), a variant to name explicitly.
source "$(dirname "$0")/common.sh"
TRIALS="${1:-48}"
SEEDS="${2:-1 2 3}"
VARIANTS="${3:-ppo random evolution ppo-nasnet-lr}"
ensure_lut
stores=()
for seed in $SEEDS; do
  for variant in $VARIANTS; do
    case "$variant" in
      ppo-nasnet-lr) args=(--strategy ppo --controller-lr 3.5e-4) ;;
      ppo | random | evolution | predictor) args=(--strategy "$variant") ;;
      *) echo "controller_vs_baselines: unknown variant '$variant'" >&2; exit 2 ;;
    esac
    store="$OUT/cvb-$variant-$seed.db"
    log "controller_vs_baselines: $variant seed $seed ($TRIALS trials)"
    search "$store" "$TRIALS" "${args[@]}" --seed "$seed" "${CVB_ARGS[@]}"
    stores+=("$variant:$store")
  done
done
python3 "$ROOT/experiments/analyze.py" strategies --out "$DOCS/controller_vs_baselines" \
  --trials "$TRIALS" "${stores[@]}"
