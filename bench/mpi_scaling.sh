#!/usr/bin/env bash
# Throughput of a search on several MPI ranks: the surrogate evaluator with a fixed cost per
# trial (--surrogate-cost-ms, slept, so that ranks do not compete for this machine's cores) at 1,
# 2, 4 and 8 worker ranks (mpirun -np N+1 --oversubscribe). For each: the job's wall time, the
# start-up inside it (mpirun starting N+1 processes that each load LibTorch, until rank 0 says
# the search begins) and the search's own throughput after it — trials per hour and the
# efficiency against 1 worker (1.0 = perfect scaling). Every run is the same seeded search (batch
# 16, so that 8 workers have work in every step); the stores are checked to hold the same trials.
#
#   bash bench/mpi_scaling.sh [MNAS_BINARY] [COST_MS] [TRIALS]
set -euo pipefail
MNAS="$(realpath "${1:-build/mnas}")"
COST_MS="${2:-1000}"
TRIALS="${3:-64}"
exec python3 - "$MNAS" "$COST_MS" "$TRIALS" <<'PY'
import hashlib, os, sqlite3, subprocess, sys, tempfile, time

mnas, cost_ms, trials = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(f"surrogate search, {trials} trials, batch 16, {cost_ms} ms per trial (slept)")
print(f"{'workers':>7} {'job s':>7} {'start-up s':>10} {'search s':>9} {'trials/hour':>12} "
      f"{'efficiency':>10}  same trials")
base = first = None
with tempfile.TemporaryDirectory() as tmp:
    for workers in (1, 2, 4, 8):
        store = os.path.join(tmp, f"w{workers}.db")
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np",
               str(workers + 1), mnas, "search", "--evaluator", "surrogate",
               "--surrogate-cost-ms", cost_ms, "--store", store, "--trials", str(trials),
               "--batch", "16", "--seed", "3", "--references", "none"]
        start = time.time()
        job = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        began = ended = None
        for line in job.stderr:
            if line.startswith("mnas: search ") and began is None:
                began = time.time()
            if line.startswith(f"mnas: trial {trials}/{trials} "):
                ended = time.time()
        job.wait()
        wall = time.time() - start
        if job.returncode != 0 or began is None or ended is None:
            sys.exit(f"mpirun -np {workers + 1} failed (exit {job.returncode})")
        rate = trials * 3600 / (ended - began)
        base = base or rate
        rows = sqlite3.connect(store).execute(
            "SELECT step, idx, canonical, reward FROM trials ORDER BY step, idx").fetchall()
        digest = hashlib.md5(repr(rows).encode()).hexdigest()
        first = first or digest
        print(f"{workers:>7} {wall:>7.1f} {began - start:>10.1f} {ended - began:>9.1f} "
              f"{rate:>12.0f} {rate / (base * workers):>10.3f}  "
              f"{'yes' if digest == first else 'NO'}")
PY
