# Shared by the experiment scripts (sourced, not run): where mnas is, where results go, and the
# lookup table the latency-predicted searches use. Every script takes the same environment:
#   BUILD    the build folder with mnas (default: build)
#   OUT      where stores and intermediate results go (default: out/experiments; kept between
#            runs: a script run again resumes its searches and skips what is complete)
#   THREADS  training threads per search (default 1: a figure does not depend on what else the
#            machine runs, and two experiments can share a 2-core machine)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
MNAS="$BUILD/mnas"
OUT="${OUT:-$ROOT/out/experiments}"
THREADS="${THREADS:-1}"
DOCS="$ROOT/docs/experiments"
mkdir -p "$OUT" "$DOCS"
if [[ ! -x "$MNAS" ]]; then
  echo "experiments: no mnas at $MNAS (build it first: cmake -S . -B build && cmake --build build)" >&2
  exit 1
fi

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Background jobs, at most N at a time: `some_job & wait_for_slot N`, then `wait_for_all`. Both wait
# with `wait -n`, so a job that fails stops the script (set -e), where a plain `wait` would not.
wait_for_slot() { while (( $(jobs -rp | wc -l) >= $1 )); do wait -n; done; }
wait_for_all() { wait_for_slot 1; }

# The lookup table of the paper's space at 28x28x1 on this machine (a few minutes, once).
ensure_lut() {
  if [[ ! -s "$OUT/lut.json" ]] || ! "$MNAS" lut check --help >/dev/null 2>&1; then
    log "building the lookup table $OUT/lut.json (a few minutes, once)"
    "$MNAS" lut build --out "$OUT/lut.json"
  fi
}

# search STORE TRIALS ARGS...: a search of TRIALS trials with ARGS. When STORE exists it is resumed
# (an interrupted experiment goes on where it stopped; a complete one returns at once). One proxy
# rung unless ARGS say --fidelity: the protocol these experiments were run with (a new search's
# default became two rungs later).
search() {
  local store="$1" trials="$2"
  shift 2
  local args=(--store "$store" --trials "$trials" --threads "$THREADS" --references none)
  if [[ -e "$store" ]]; then
    args+=(--resume)
  else
    args+=("$@")
    [[ " $* " == *" --fidelity "* ]] || args+=(--fidelity none)
  fi
  if ! "$MNAS" search "${args[@]}" >/dev/null 2>"$store.log"; then
    echo "experiments: search $store failed; see $store.log" >&2
    tail -3 "$store.log" >&2
    exit 1
  fi
}

# The setup of controller_vs_baselines' searches, which reward_shapes.sh and
# searched_vs_handdesigned.sh reuse: the 2,000-image proxy and the lookup table's latency.
CVB_PROXY=(--train-images 2000 --holdout 1000)
CVB_ARGS=("${CVB_PROXY[@]}" --latency "lut:$OUT/lut.json")

# cvb_ppo SEED TRIALS: controller_vs_baselines' PPO search of SEED (default learning rate), run
# or resumed; the other scripts compare against it, so it is made the same way everywhere.
cvb_ppo() {
  search "$OUT/cvb-ppo-$1.db" "$2" --strategy ppo --seed "$1" "${CVB_ARGS[@]}"
}
