#!/usr/bin/env bash
# `mnas finalize`, with its networks trained JOBS at a time in separate processes: for a GPU box
# (a network at 28×28 leaves a GPU mostly idle, waiting on kernel launches, so several trainings
# share it well) or a machine with many cores. Each job trains one part of the plan (the
# candidates at one multiplier and input, or one zoo model at one multiplier and input) on a
# copy of the store; all jobs share the checkpoint folder. As each job ends, its networks are
# gathered into the store (`mnas finalize` with that part finds the finished checkpoints and
# only evaluates and measures them); at the end one `mnas finalize` with every option trains
# what a job left unfinished and prints the table. Stopped (Ctrl-C, a kill), the same command
# goes on: finished checkpoints are not trained again.
#
#   bash scripts/finalize_parallel.sh JOBS STORE [mnas finalize options...]
#
# MNAS (default build/mnas) is the binary. Each job gets --threads cores/JOBS (at least 1)
# unless --threads is given. Job logs go to the checkpoint folder (job-N.log).
# Trained on one machine, measured on another (the device is this machine's CPU, say): copy the
# store back and run `mnas finalize STORE [same options] --remeasure` there.
set -uo pipefail
if [ "${BASH_VERSINFO[0]}" -lt 5 ] || { [ "${BASH_VERSINFO[0]}" = 5 ] && [ "${BASH_VERSINFO[1]}" -lt 1 ]; }; then
  echo "finalize_parallel: needs bash 5.1 or newer (wait -p); this is $BASH_VERSION" >&2; exit 2
fi
jobs_max=${1:?usage: finalize_parallel.sh JOBS STORE [mnas finalize options...]}
store=${2:?usage: finalize_parallel.sh JOBS STORE [mnas finalize options...]}
shift 2
mnas=${MNAS:-build/mnas}
case $jobs_max in '' | *[!0-9]* | 0) echo "finalize_parallel: JOBS must be a positive number, not '$jobs_max'" >&2; exit 2 ;; esac
[ -f "$store" ] || { echo "finalize_parallel: no store '$store'" >&2; exit 2; }
[ -x "$mnas" ] || { echo "finalize_parallel: no mnas binary at '$mnas' (set MNAS)" >&2; exit 2; }

# The options that split the plan, with mnas finalize's defaults (src/search/finalize.cc's table);
# the rest goes to every job as it is.
top=2 multipliers=0.5,0.75,1.0,1.4 inputs="" references=mobilenetv2,mnasnet-a1,mnasnet-b1
folder="" threads="" json=0 rest=()
while [ $# -gt 0 ]; do
  opt=$1 value=""
  case $opt in
    --*=*) value=${opt#*=}; opt=${opt%%=*} ;;
    --top | --multipliers | --inputs | --references | --folder | --threads)
      [ $# -ge 2 ] || { echo "finalize_parallel: $opt needs a value" >&2; exit 2; }
      value=$2; shift ;;
  esac
  case $opt in
    --top) top=$value ;;
    --multipliers) multipliers=$value ;;
    --inputs) inputs=$value ;;
    --references) references=$value ;;
    --folder) folder=$value ;;
    --threads) threads=$value ;;
    --json) json=1 ;;
    --remeasure | --report) echo "finalize_parallel: $opt is for a single mnas finalize" >&2; exit 2 ;;
    *) rest+=("$1") ;;
  esac
  shift
done
if [ -z "$folder" ]; then  # mnas's default: the store's name with .finalists
  base=${store##*/}
  case $base in ?*.*) folder=${store%.*}.finalists ;; *) folder=$store.finalists ;; esac
fi
job_threads=$threads
[ -n "$job_threads" ] || job_threads=$(( $(nproc) / jobs_max > 0 ? $(nproc) / jobs_max : 1 ))
mkdir -p "$folder" || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/finalize_parallel.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

# The parts: the candidates (when --top > 0) and each zoo model, at each multiplier and input.
IFS=, read -r -a mult_list <<< "$multipliers"
IFS=, read -r -a input_list <<< "${inputs:-default}"
refs=()
[ "$references" = none ] || IFS=, read -r -a refs <<< "$references"
parts=()
for m in "${mult_list[@]}"; do
  for i in "${input_list[@]}"; do
    sel="--multipliers $m"
    [ "$i" = default ] || sel="$sel --inputs $i"
    [ "$top" = 0 ] || parts+=("--top $top --references none $sel")
    for r in "${refs[@]}"; do parts+=("--top 0 --references $r $sel"); done
  done
done
[ ${#parts[@]} -gt 0 ] || { echo "finalize_parallel: nothing to train (no multiplier, no candidate, no reference)" >&2; exit 2; }
echo "finalize_parallel: ${#parts[@]} jobs, $jobs_max at a time, $job_threads threads each; checkpoints in $folder" >&2

# A copy of the store for each job (SQLite's backup: consistent even with a -wal file beside it).
copy_store() {
  python3 -c 'import sqlite3, sys
src = sqlite3.connect(sys.argv[1]); dst = sqlite3.connect(sys.argv[2])
src.backup(dst); dst.close(); src.close()' "$1" "$2"
}

declare -A running=()  # pid -> job index
stopping=0
on_signal() {
  stopping=1
  echo "finalize_parallel: stopping; finished checkpoints stay in $folder, the same command goes on" >&2
  for pid in "${!running[@]}"; do kill -INT "$pid" 2>/dev/null; done
}
trap on_signal INT TERM

gather() {  # gather N: the job's networks into the store (evaluated and measured, not trained)
  local n=$1
  # shellcheck disable=SC2086  # parts[] holds flags split on spaces
  if "$mnas" finalize "$store" ${parts[$n]} --folder "$folder" --threads "$job_threads" \
      --report "$work/gather.html" "${rest[@]}" > /dev/null 2>> "$folder/job-$n.log"; then
    echo "finalize_parallel: job $n gathered into $store" >&2
  else
    echo "finalize_parallel: job $n: gathering failed (see $folder/job-$n.log)" >&2
  fi
}

next=0 failed=0
while { [ $next -lt ${#parts[@]} ] && [ $stopping = 0 ]; } || [ ${#running[@]} -gt 0 ]; do
  if [ $next -lt ${#parts[@]} ] && [ ${#running[@]} -lt "$jobs_max" ] && [ $stopping = 0 ]; then
    copy_store "$store" "$work/job-$next.db" || { echo "finalize_parallel: cannot copy $store" >&2; exit 1; }
    # shellcheck disable=SC2086
    "$mnas" finalize "$work/job-$next.db" ${parts[$next]} --folder "$folder" --threads "$job_threads" \
      --report "$work/job-$next.html" "${rest[@]}" > /dev/null 2> "$folder/job-$next.log" &
    running[$!]=$next
    echo "finalize_parallel: job $next started: ${parts[$next]}" >&2
    next=$((next + 1))
    continue
  fi
  wait -n -p done_pid "${!running[@]}"
  rc=$?
  [ -n "${done_pid:-}" ] || continue  # a signal interrupted the wait
  n=${running[$done_pid]}
  unset "running[$done_pid]"
  tail -1 "$folder/job-$n.log" | sed "s/^/finalize_parallel: job $n: /" >&2
  if [ $rc = 0 ]; then gather "$n"; else failed=$((failed + 1)); fi
done
[ $stopping = 0 ] || exit 130
[ $failed = 0 ] || echo "finalize_parallel: $failed jobs did not finish; the last pass trains what they left" >&2

# The whole plan: trains what is left, prints the table (or --json).
final=("$mnas" finalize "$store" --top "$top" --multipliers "$multipliers" --references "$references"
       --folder "$folder" "${rest[@]}")
[ -z "$inputs" ] || final+=(--inputs "$inputs")
[ -z "$threads" ] || final+=(--threads "$threads")
[ $json = 0 ] || final+=(--json)
trap - INT TERM
"${final[@]}"
