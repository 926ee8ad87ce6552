#!/usr/bin/env bash
# Multi-fidelity and predicted latency vs the plain search, at equal wall-clock time: PPO with the
# default proxy (5,000 images, 2,000 held out, batch 6), each search given the same time budget:
#   plain         every proposal on the full proxy, latency measured on this machine
#   fidelity+lut  --fidelity 1000,5000 --no-fidelity-continue (each rung from scratch; the best third of a step's proposals, 2 of 6, go on) and
#                 the lookup table's latency, checked on the machine (every Pareto entry, 5% of
#                 the rest)
#   fidelity-keep6+lut  the same with --fidelity-keep 6 (the best one of a step's 6 goes on)
#   fidelity500+lut     --fidelity 500,5000 (keep 3): a first rung half as dear, ranked on fewer images
#   continue+lut        --fidelity 1000,5000 --fidelity-continue: a promoted proposal goes on with
#                       the run its first rung stopped
#   continue500+lut     --fidelity 500,5000 --fidelity-continue: the same with a first rung a tenth
#                       of the run (a step of 6 trains 12,000 images instead of 30,000)
# Searches run JOBS at a time (default 2), one training thread and one core each, so every search
# has another one-thread training beside it (the plain search's measurements and the others'
# confirmations alike). Pareto hypervolume over wall-clock time (mean of the seeds; a predicted trial counts
# with its measured latency where it was measured, as every Pareto entry is) and the trials each
# got through: docs/experiments/fidelity_vs_plain.{svg,md}.
#
#   [JOBS=2] bash experiments/fidelity_vs_plain.sh [MINUTES] [SEEDS] [VARIANTS]
#   (defaults 20, "1 2 3" and all six: 18 x 20 min = 3 hours on a 2-core machine)
source "$(dirname "$0")/common.sh"
MINUTES="${1:-20}"
SEEDS="${2:-1 2 3}"
ALL_VARIANTS="plain fidelity+lut fidelity-keep6+lut fidelity500+lut continue+lut continue500+lut"
VARIANTS="${3:-$ALL_VARIANTS}"
JOBS="${JOBS:-2}"
ensure_lut

# run_variant VARIANT SEED: one timed search, skipped when its store exists (a store cut short by
# an interrupted run is not resumed: its clock would not be comparable; delete it to rerun).
run_variant() {
  local variant="$1" seed="$2" store="$OUT/budget-$1-$2.db" extra=()
  case "$variant" in
    plain) extra=(--fidelity none) ;;  # one rung (a new search's default is two)
    fidelity+lut) extra=(--fidelity 1000,5000 --no-fidelity-continue --latency "lut:$OUT/lut.json") ;;
    fidelity-keep6+lut)
      extra=(--fidelity 1000,5000 --no-fidelity-continue --fidelity-keep 6 --latency "lut:$OUT/lut.json") ;;
    fidelity500+lut) extra=(--fidelity 500,5000 --no-fidelity-continue --latency "lut:$OUT/lut.json") ;;
    continue+lut)
      extra=(--fidelity 1000,5000 --fidelity-continue --latency "lut:$OUT/lut.json") ;;
    continue500+lut)
      extra=(--fidelity 500,5000 --fidelity-continue --latency "lut:$OUT/lut.json") ;;
    *) echo "experiments: unknown variant $variant" >&2; return 1 ;;
  esac
  [[ -e "$store" ]] && return 0
  log "fidelity_vs_plain: $variant seed $seed ($MINUTES min)"
  "$MNAS" search --store "$store" --trials 100000 --time-budget "$((MINUTES * 60))" \
    --threads "$THREADS" --references none --seed "$seed" "${extra[@]}" >/dev/null \
    2>"$store.log" || { echo "experiments: search $store failed; see $store.log" >&2
                       tail -3 "$store.log" >&2; return 1; }
}

for seed in $SEEDS; do
  for variant in $VARIANTS; do
    run_variant "$variant" "$seed" &
    wait_for_slot "$JOBS"
  done
done
wait_for_all

# Every variant whose searches are all there (also those of an earlier run), plain first.
stores=()
for variant in $ALL_VARIANTS; do
  complete=1 these=()
  for seed in $SEEDS; do
    [[ -e "$OUT/budget-$variant-$seed.db" ]] || complete=0
    these+=("$variant:$OUT/budget-$variant-$seed.db")
  done
  (( complete )) && stores+=("${these[@]}")
done
python3 "$ROOT/experiments/analyze.py" timeline --out "$DOCS/fidelity_vs_plain" \
  --minutes "$MINUTES" "${stores[@]}"
