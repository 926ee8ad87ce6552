# Sourced by the GPU scripts (gpu_check.sh, gpu_profile.sh): a summary file and stages under a
# time budget. Set `out` (folder) and `budget` (seconds) before sourcing.
mkdir -p "$out"
summary=$out/summary.txt
t0=$(date +%s)
say() { echo "$*" | tee -a "$summary"; }
stage() {  # stage NAME: false (skip it) once the budget is spent
  local used=$(( $(date +%s) - t0 ))
  if [ "$used" -ge "$budget" ]; then say "== skipped after ${used} s: $*"; return 1; fi
  say "== ${used} s: $*"
}
