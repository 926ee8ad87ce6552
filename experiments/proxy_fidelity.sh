#!/usr/bin/env bash
# Proxy fidelity: does the proxy's held-out accuracy rank architectures as a longer training
# does? 14 architectures spread over the latency range — the zoo (MnasNet-A1, -B1, -small,
# MobileNetV2 at 0.5, 1.0 and 1.4) and 8 sampled ones (a random search's trials, evenly spaced
# in LAT/T) — each trained three ways on Fashion-MNIST at 28x28:
#   proxy-2000   1 epoch on 2,000 images, 1,000 held out (what the experiments' searches use)
#   proxy-5000   1 epoch on 5,000 images, 2,000 held out (the search's default proxy)
#   long         5 epochs on the whole training split (55,000 images), 5,000 held out, the full
#                recipe (warm-up, crops, flips, label smoothing, cosine schedule)
# then Kendall's tau between each proxy and the long training (analyze.py tau), and what each costs
# per trial. Seed noise, to read tau against: the 5,000-image proxy again with seed 2 for all 14
# (tau between its two seeds), and the long training again with seed 2 for the two cheapest.
# Each training's result is kept in OUT/fidelity/ (a run again skips what is done).
# Writes docs/experiments/proxy_fidelity.{svg,md}.
#
#   [JOBS=2] bash experiments/proxy_fidelity.sh [LONG_EPOCHS]
#   (default 5; a long training takes ~50x its 5,000-image proxy: 10-40 min with THREADS=1,
#   ~6.5 core-hours for the 14 and the seed-noise runs; JOBS=2 runs two at a time on a 2-core
#   machine)
source "$(dirname "$0")/common.sh"
LONG_EPOCHS="${1:-5}"
JOBS="${JOBS:-1}"
mkdir -p "$OUT/fidelity"
ensure_lut
# The sampled architectures: a random search's, spread over the latency range.
search "$OUT/cvb-random-1.db" 48 --strategy random --seed 1 --train-images 2000 --holdout 1000 \
  --latency "lut:$OUT/lut.json"
declare -A archs=()
for spec in mnasnet-a1 mnasnet-b1 mnasnet-small mobilenetv2@0.5 mobilenetv2 mobilenetv2@1.4; do
  name="${spec%@*}" mult=1.0
  [[ "$spec" == *@* ]] && mult="${spec#*@}"
  archs["$spec"]="$("$MNAS" describe "$name" --multiplier "$mult" --input 28x28x1 --classes 10 \
    --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["canonical"])')"
done
i=0
while read -r canonical; do
  archs["sampled-$((++i))"]="$canonical"
done < <(python3 - "$OUT/cvb-random-1.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = [(json.loads(lj)["devices"][0]["ratio"], c) for c, lj in db.execute(
    "SELECT canonical, latency_json FROM trials WHERE status = 'done' AND cached = 0")]
rows.sort()
for k in range(8):
    print(rows[round(k * (len(rows) - 1) / 7)][1])
PY
)
train() {  # NAME TAG ARGS...: one training, its JSON kept
  local name="$1" tag="$2"
  shift 2
  local out="$OUT/fidelity/$name.$tag.json"
  [[ -s "$out" ]] && return 0
  log "proxy_fidelity: $name $tag"
  "$MNAS" train "${archs[$name]}" --threads "$THREADS" --json "$@" >"$out.tmp" 2>"$out.log"
  mv "$out.tmp" "$out"
}
for name in "${!archs[@]}"; do
  train "$name" proxy-2000 --recipe proxy --train-images 2000 --holdout 1000
  train "$name" proxy-5000 --recipe proxy
done
# The long trainings, cheapest first (by the 5,000-image proxy's time), JOBS at a time: an
# interrupted training starts over when the script runs again, so the many short ones come first.
long_order=$(for name in "${!archs[@]}"; do
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"], sys.argv[2])' \
    "$OUT/fidelity/$name.proxy-5000.json" "$name"
done | sort -n | cut -d' ' -f2)
for name in $long_order; do
  train "$name" long --epochs "$LONG_EPOCHS" --train-images 0 --holdout 5000 &
  wait_for_slot "$JOBS"
done
wait_for_all
# Seed noise: what a second seed moves (tags ending in -seed2; analyze.py reads them apart).
for name in "${!archs[@]}"; do
  train "$name" proxy-5000-seed2 --recipe proxy --seed 2
done
for name in $(head -2 <<<"$long_order"); do
  train "$name" long-seed2 --epochs "$LONG_EPOCHS" --train-images 0 --holdout 5000 --seed 2 &
  wait_for_slot "$JOBS"
done
wait_for_all
python3 "$ROOT/experiments/analyze.py" tau --out "$DOCS/proxy_fidelity" "$OUT/fidelity"
