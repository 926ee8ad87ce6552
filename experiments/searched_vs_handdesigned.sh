#!/usr/bin/env bash
# Searched vs hand-designed: the Pareto front of the PPO searches (controller_vs_baselines.sh's,
# run first if missing) against MobileNetV2 at width multipliers 0.35 to 1.4 and MnasNet-A1/B1,
# trained with the same proxy and timed on this machine against the same T (MobileNetV2 timed
# alongside each). The hand-designed models are measured, not predicted: the lookup table only
# knows the search space's layers. Writes docs/experiments/searched_vs_handdesigned.{svg,md}.
#
#   bash experiments/searched_vs_handdesigned.sh [TRIALS] [SEEDS]
#   (defaults 48 and "1 2 3"; the 8 hand-designed models take ~5 min with THREADS=1)
source "$(dirname "$0")/common.sh"
TRIALS="${1:-48}"
SEEDS="${2:-1 2 3}"
ensure_lut
searched=()
for seed in $SEEDS; do
  cvb_ppo "$seed" "$TRIALS"
  searched+=("searched (PPO):$OUT/cvb-ppo-$seed.db")
done
HAND=mobilenetv2@0.35,mobilenetv2@0.5,mobilenetv2@0.75,mobilenetv2,mobilenetv2@1.3,mobilenetv2-1.4,mnasnet-a1,mnasnet-b1
if [[ ! -e "$OUT/handdesigned.db" ]]; then
  log "searched_vs_handdesigned: training and timing the hand-designed models"
  # One throwaway trial (a search needs one), then the references, each with the same proxy.
  "$MNAS" search --store "$OUT/handdesigned.db" --trials 1 --threads "$THREADS" \
    --references "$HAND" "${CVB_PROXY[@]}" >/dev/null 2>"$OUT/handdesigned.db.log" || {
    echo "experiments: the hand-designed models failed; see $OUT/handdesigned.db.log" >&2
    exit 1
  }
fi
python3 "$ROOT/experiments/analyze.py" fronts --out "$DOCS/searched_vs_handdesigned" \
  --references-from "$OUT/handdesigned.db" "${searched[@]}"
