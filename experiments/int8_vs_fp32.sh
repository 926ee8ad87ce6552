#!/usr/bin/env bash
# The same search at fp32 and at int8 (issue 32): PPO with the multi-fidelity defaults (the
# 5,000-image proxy, a 500-image first rung, keep 3), each precision's latency predicted by a
# lookup table of this machine built in that precision (mnas lut build --precision), seeds 1-3.
# The int8 searches score each trial's network quantized after the proxy training (the reward is
# what an int8 device runs); the fp32 searches score fp32.
#
# Then every search's best candidate (by reward) is judged the same way, at int8: trained with
# the proxy recipe and quantized (`mnas finalize --precision int8`: the int8 network's test
# accuracy, the fp32 one beside it), and its int8 latency measured against MobileNetV2's in int8
# (`mnas latency --versus`, alternately, pinned). Counted per best: SE blocks, 5x5 kernels,
# expansion-6 blocks. Writes docs/experiments/int8_vs_fp32.{svg,md}.
#
#   [JOBS=2] bash experiments/int8_vs_fp32.sh [TRIALS] [SEEDS]
#   (defaults 48 and "1 2 3": six searches of ~15 min each with THREADS=1)
source "$(dirname "$0")/common.sh"
TRIALS="${1:-48}"
SEEDS="${2:-1 2 3}"
JOBS="${JOBS:-2}"
ensure_lut
if [[ ! -s "$OUT/lut-int8.json" ]]; then
  log "building the int8 lookup table $OUT/lut-int8.json (a few minutes, once)"
  "$MNAS" lut build --out "$OUT/lut-int8.json" --precision int8
fi

# precision_search PRECISION SEED: one search, resumed when its store exists.
precision_search() {
  local precision="$1" seed="$2" store="$OUT/precision-$1-$2.db" table="$OUT/lut.json" args
  [[ "$precision" == int8 ]] && table="$OUT/lut-int8.json"
  args=(--store "$store" --trials "$TRIALS" --threads "$THREADS" --references none)
  if [[ -e "$store" ]]; then
    args+=(--resume)
  else
    args+=(--strategy ppo --seed "$seed" --precision "$precision" --latency "lut:$table")
  fi
  log "int8_vs_fp32: $precision seed $seed ($TRIALS trials)"
  "$MNAS" search "${args[@]}" >/dev/null 2>"$store.log" || {
    echo "experiments: search $store failed; see $store.log" >&2
    tail -3 "$store.log" >&2
    return 1
  }
}

for seed in $SEEDS; do
  for precision in fp32 int8; do
    precision_search "$precision" "$seed" &
    wait_for_slot "$JOBS"
  done
done
wait_for_all

# Each best at int8: its proxy training quantized (finalize trains it once; a rerun reuses it),
# and its int8 latency against MobileNetV2's, measured alternately on one pinned core.
judged=()
for seed in $SEEDS; do
  for precision in fp32 int8; do
    store="$OUT/precision-$precision-$seed.db"
    json="$store.int8.json"
    if [[ ! -s "$json" ]]; then
      log "int8_vs_fp32: $precision seed $seed's best, quantized and timed in int8"
      "$MNAS" finalize "$store" --top 1 --multipliers 1.0 --references none --recipe proxy \
        --precision int8 --threads "$THREADS" --json >"$store.finalize.json" \
        2>"$store.finalize.log" || { tail -3 "$store.finalize.log" >&2; exit 1; }
      canonical=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["finalists"][0]["canonical"])' \
        "$store.finalize.json")
      "$MNAS" latency "$canonical" --precision int8 --versus mobilenetv2 --cpu 1 --json \
        >"$store.versus.json" 2>"$store.versus.log" || { tail -3 "$store.versus.log" >&2; exit 1; }
      python3 -c 'import json,sys
f = json.load(open(sys.argv[1]))["finalists"][0]
v = json.load(open(sys.argv[2]))
json.dump({"finalist": f, "versus": v}, open(sys.argv[3], "w"))' \
        "$store.finalize.json" "$store.versus.json" "$json"
    fi
    judged+=("$precision:$store")
  done
done
python3 "$ROOT/experiments/analyze.py" precision --out "$DOCS/int8_vs_fp32" "${judged[@]}"
