#!/usr/bin/env bash
# Search throughput with the real proxy (Fashion-MNIST): the same seeded search five ways —
#   plain          every proposal trained on the full proxy, latency measured on this machine
#   fidelity       --fidelity 1000,5000 --no-fidelity-continue (successive halving, the best
#                  third goes on, each rung trained from scratch)
#   fidelity+lut   the same with latency predicted by a lookup table (--latency lut:FILE),
#                  checked on this machine (every Pareto entry, 5% of the rest)
#   continue+lut   the same with --fidelity-continue (a promoted proposal goes on with the run
#                  its first rung stopped instead of training again from scratch)
#   continue500+lut  the same with a first rung of 500 images (--fidelity 500,5000): the
#                  measured best in docs/experiments.md
# and for each: wall time, trials (proposals that got a reward) per hour, full-proxy trials per
# hour, and where the time went (the search's own accounting: training, latency, latency checks,
# strategy, store), with the ratio of trials per hour against the plain search run just before.
# The lookup table is built once (about 4 minutes) into BUILD/search_throughput_lut.json.
#
#   bash bench/search_throughput.sh [MNAS_BINARY] [TRIALS] [THREADS]
#   (defaults: build/mnas, 24, every core)
set -euo pipefail
MNAS="$(realpath "${1:-build/mnas}")"
TRIALS="${2:-24}"
THREADS="${3:-0}"
LUT="$(dirname "$MNAS")/search_throughput_lut.json"
if [[ ! -s "$LUT" ]]; then
  echo "building the lookup table $LUT (once)" >&2
  "$MNAS" lut build --out "$LUT" >&2
fi
exec python3 - "$MNAS" "$TRIALS" "$THREADS" "$LUT" <<'PY'
import re, subprocess, sys, tempfile, time, os

mnas, trials, threads, lut = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
variants = [("plain", ["--fidelity", "none"]),
            ("fidelity", ["--fidelity", "1000,5000", "--no-fidelity-continue"]),
            ("fidelity+lut", ["--fidelity", "1000,5000", "--no-fidelity-continue",
                              "--latency", f"lut:{lut}"]),
            ("continue+lut", ["--fidelity", "1000,5000", "--fidelity-continue",
                              "--latency", f"lut:{lut}"]),
            ("continue500+lut", ["--fidelity", "500,5000", "--fidelity-continue",
                                 "--latency", f"lut:{lut}"])]
print(f"proxy search, {trials} trials, seed 1, batch 6, threads {threads or 'all'}")
print(f"{'variant':<15} {'wall s':>7} {'trials/h':>9} {'full/h':>7} {'ratio':>6} "
      f"{'train s':>8} {'latency s':>9} {'checks s':>8} {'strategy s':>10} {'store s':>7}")
base = None
with tempfile.TemporaryDirectory() as tmp:
    for name, extra in variants:
        store = os.path.join(tmp, f"{name}.db")
        cmd = [mnas, "search", "--store", store, "--trials", str(trials), "--seed", "1",
               "--references", "none", "--report", os.path.join(tmp, f"{name}.html")] + extra
        if threads != "0":
            cmd += ["--threads", threads]
        start = time.time()
        job = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.time() - start
        if job.returncode != 0:
            sys.exit(f"{name}: mnas search failed:\n{job.stderr[-2000:]}")
        m = re.search(r"search time: training (\S+) s, latency (\S+) s, latency checks (\S+) s, "
                      r"strategy (\S+) s, store (\S+) s", job.stderr)
        if not m:
            sys.exit(f"{name}: no 'search time' line in mnas's output")
        partial = len(re.findall(r"^mnas: trial \d+/\d+ done \(rung", job.stderr, re.M))
        per_hour = trials / wall * 3600
        full_per_hour = (trials - partial) / wall * 3600
        base = base or per_hour
        print(f"{name:<15} {wall:7.0f} {per_hour:9.0f} {full_per_hour:7.0f} "
              f"{per_hour / base:5.2f}x {float(m[1]):8.0f} {float(m[2]):9.0f} "
              f"{float(m[3]):8.0f} {float(m[4]):10.1f} {float(m[5]):7.1f}", flush=True)
print("trials/h: proposals that got a reward the strategy learns from (a stopped proposal's is "
      "made comparable: docs/search-strategies.md); full/h: those trained on the full proxy. "
      "Wall time includes mnas's start-up.")
PY
