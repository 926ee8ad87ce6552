#!/usr/bin/env bash
# Multi-fidelity and predicted latency vs the plain search, at equal wall-clock time: PPO with
# the default proxy (5,000 images, 2,000 held out) three ways, each given the same time budget:
#   plain          every proposal on the full proxy, latency measured on this machine
#   fidelity+lut   --fidelity 1000,5000 (the best third goes on) and the lookup table's latency,
#                  checked on the machine (every Pareto entry, 5% of the rest)
# Pareto hypervolume over wall-clock time (mean of the seeds) and the trials each got through:
# docs/experiments/fidelity_vs_plain.{svg,md}.
#
#   bash experiments/fidelity_vs_plain.sh [MINUTES] [SEEDS]
#   (defaults 20 and "1 2 3": 2 x 3 x 20 min = 2 hours with THREADS=1)
source "$(dirname "$0")/common.sh"
MINUTES="${1:-20}"
SEEDS="${2:-1 2 3}"
ensure_lut
plain=() fast=()
for seed in $SEEDS; do
  for variant in plain fidelity+lut; do
    store="$OUT/budget-$variant-$seed.db"
    extra=()
    [[ "$variant" == fidelity+lut ]] && extra=(--fidelity 1000,5000 --latency "lut:$OUT/lut.json")
    if [[ ! -e "$store" ]]; then
      log "fidelity_vs_plain: $variant seed $seed ($MINUTES min)"
      "$MNAS" search --store "$store" --trials 100000 --time-budget "$((MINUTES * 60))" \
        --threads "$THREADS" --references none --seed "$seed" "${extra[@]}" >/dev/null \
        2>"$store.log" || { tail -3 "$store.log" >&2; exit 1; }
    fi
  done
  plain+=("plain:$OUT/budget-plain-$seed.db")
  fast+=("fidelity+lut:$OUT/budget-fidelity+lut-$seed.db")
done
python3 "$ROOT/experiments/analyze.py" timeline --out "$DOCS/fidelity_vs_plain" \
  --minutes "$MINUTES" "${plain[@]}" "${fast[@]}"
