#!/usr/bin/env bash
# Any latency budget: a search at MnasNet-small's latency (T = MnasNet-small timed alongside each
# candidate) in the paper's space narrowed by a width multiplier of 0.5, against MnasNet-small
# and MobileNetV2 trained and timed the same way (measured latency, the default 5,000-image
# proxy). Shows whether the narrower skeleton finds a model at least as good as MnasNet-small.
# Writes docs/experiments/small_target.{svg,md}.
#
#   bash experiments/small_target.sh [TRIALS] [SEEDS]
#   (defaults 48 and "1 2 3"; ~12 min a search with THREADS=1 on a quiet core)
source "$(dirname "$0")/common.sh"
TRIALS="${1:-48}"
SEEDS="${2:-1 2 3}"
stores=()
for seed in $SEEDS; do
  store="$OUT/small-$seed.db"
  log "small_target: seed $seed ($TRIALS trials)"
  search "$store" "$TRIALS" --multiplier 0.5 --target mnasnet-small --seed "$seed"
  stores+=("searched, 0.5x:$store")
done
if [[ ! -e "$OUT/small-references.db" ]]; then
  log "small_target: MnasNet-small and MobileNetV2 at the same T"
  "$MNAS" search --store "$OUT/small-references.db" --trials 1 --threads "$THREADS" \
    --multiplier 0.5 --target mnasnet-small --references mnasnet-small,mobilenetv2 \
    >/dev/null 2>"$OUT/small-references.db.log" || {
    tail -3 "$OUT/small-references.db.log" >&2
    exit 1
  }
fi
python3 "$ROOT/experiments/analyze.py" fronts --out "$DOCS/small_target" \
  --references-from "$OUT/small-references.db" "${stores[@]}"
