#!/usr/bin/env bash
# Two experiments on the shape of the reward, PPO with the same proxy, lookup table and seeds as
# controller_vs_baselines.sh (whose PPO searches are the soft-reward runs here; it runs them if
# they are missing):
#   - soft vs hard reward (the paper's Fig. 6): latency histograms of every sampled model under
#     the soft reward (alpha = beta = -0.07) and the hard one (alpha = 0, beta = -1);
#     docs/experiments/soft_vs_hard.{svg,md};
#   - multi-objective vs accuracy-only (the paper's Table 5 analogue): the accuracy-only search
#     (alpha = beta = 0: reward = accuracy) against the soft one, accuracy against LAT/T;
#     docs/experiments/accuracy_only.{svg,md}.
#
#   bash experiments/reward_shapes.sh [TRIALS] [SEEDS]
#   (defaults 48 and "1 2 3"; ~12-17 min a search with THREADS=1 on a quiet core: ~1.5 h for the
#   six new searches on one core)
source "$(dirname "$0")/common.sh"
TRIALS="${1:-48}"
SEEDS="${2:-1 2 3}"
ensure_lut
soft=() hard=() accuracy=()
for seed in $SEEDS; do
  log "reward_shapes: seed $seed: soft, hard and accuracy-only ($TRIALS trials each)"
  cvb_ppo "$seed" "$TRIALS"
  search "$OUT/hard-$seed.db" "$TRIALS" --strategy ppo --seed "$seed" --reward hard "${CVB_ARGS[@]}"
  search "$OUT/accuracy-$seed.db" "$TRIALS" --strategy ppo --seed "$seed" --alpha 0 --beta 0 \
    "${CVB_ARGS[@]}"
  soft+=("soft:$OUT/cvb-ppo-$seed.db")
  hard+=("hard:$OUT/hard-$seed.db")
  accuracy+=("accuracy-only:$OUT/accuracy-$seed.db")
done
python3 "$ROOT/experiments/analyze.py" histograms --out "$DOCS/soft_vs_hard" "${soft[@]}" "${hard[@]}"
python3 "$ROOT/experiments/analyze.py" fronts --out "$DOCS/accuracy_only" "${soft[@]}" \
  "${accuracy[@]}"
