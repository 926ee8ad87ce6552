#!/usr/bin/env bash
# Soak test of the store's crash safety with a real (tiny) proxy search:
#  1. SIGKILL `mnas search` at random moments (KILLS times, default 20), resuming each time, then
#     finish it; the store must pass SQLite's integrity check and hold exactly TRIALS trials, each
#     (step, index) once, ids 1..TRIALS without a gap.
#  2. Two processes race for one store: the second is refused while the first writes, and the
#     first ends with the trials it was asked for.
# Prints the figures; exits 1 on any failure. Needs Fashion-MNIST (scripts/setup.sh installs it).
#
#   bash bench/kill_soak.sh            # MNAS=build/mnas TRIALS=24 KILLS=20
set -euo pipefail
cd "$(dirname "$0")/.."
MNAS="${MNAS:-build/mnas}"
TRIALS="${TRIALS:-24}"
KILLS="${KILLS:-20}"
dir="$(mktemp -d)"
store="$dir/soak.db"
args=(--train-images 128 --holdout 64 --batch 3 --threads 2 --references none)
trap 'rm -rf "$dir"' EXIT

count() { "$MNAS" results "$store" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["trials"])' 2>/dev/null || echo 0; }

start=$(date +%s)
kills=0
runs=0
while [ "$kills" -lt "$KILLS" ]; do
  resume=()
  [ -e "$store" ] && resume=(--resume)
  "$MNAS" search --store "$store" "${resume[@]}" --trials "$TRIALS" "${args[@]}" >/dev/null 2>>"$dir/log" &
  pid=$!
  runs=$((runs + 1))
  # a random moment: 0.05 to 4 s in (start-up, training, measuring, writing)
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.05, 4.0), 2))')"
  if kill -9 "$pid" 2>/dev/null; then
    kills=$((kills + 1))
  fi
  wait "$pid" 2>/dev/null || true
  n=$(count)
  echo "kill $kills (run $runs): $n trials stored"
  if [ "$n" -ge "$TRIALS" ]; then
    echo "the search finished before $KILLS kills landed; raise TRIALS" >&2
    break
  fi
done
"$MNAS" search --store "$store" --resume --trials "$TRIALS" "${args[@]}" >/dev/null 2>>"$dir/log"
soak_seconds=$(( $(date +%s) - start ))

python3 - "$store" "$TRIALS" <<'PY'
import sqlite3, sys
store, trials = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
check = db.execute("PRAGMA integrity_check").fetchone()[0]
ids = [r[0] for r in db.execute("SELECT id FROM trials ORDER BY id")]
keys = set(db.execute("SELECT step, idx FROM trials"))
ok = check == "ok" and ids == list(range(1, trials + 1)) and len(keys) == trials
print(f"integrity_check: {check}; trials {len(ids)} (ids 1..{trials} without a gap: "
      f"{ids == list(range(1, trials + 1))}); distinct (step, idx): {len(keys)}")
sys.exit(0 if ok else 1)
PY

# Two processes at once on one store.
more=$((TRIALS + 6))
"$MNAS" search --store "$store" --resume --trials "$more" "${args[@]}" >/dev/null 2>"$dir/first.log" &
first=$!
sleep 2
set +e
"$MNAS" search --store "$store" --resume --trials "$more" "${args[@]}" >/dev/null 2>"$dir/second.log"
second_code=$?
wait "$first"
first_code=$?
set -e
echo "race: first exit $first_code, second exit $second_code: $(tail -1 "$dir/second.log")"
final=$(count)
echo "after the race: $final trials (asked $more)"
echo "soak: $kills SIGKILLs over $runs runs, ${soak_seconds} s"
if [ "$first_code" -ne 0 ] || [ "$second_code" -ne 1 ] || [ "$final" -ne "$more" ] ||
   ! grep -q "is being written by" "$dir/second.log"; then
  echo "FAILED"
  exit 1
fi
echo "OK"
