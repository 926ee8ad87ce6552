#!/usr/bin/env python3
"""scripts/finalize_parallel.sh trains what one `mnas finalize` trains: a surrogate search's best
candidate and MobileNetV2 (a tiny proxy recipe), two jobs at once, gathered into the store, with
the same test accuracies as a single finalize of the same plan (one thread each, so the same
arithmetic); run again, it trains nothing; bad arguments are refused with the reason.

Usage: finalize_parallel_test.py MNAS_BINARY SCRIPT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PLAN = ["--top", "1", "--references", "mobilenetv2", "--multipliers", "0.5",
        "--recipe", "proxy", "--train-images", "256"]


def run(args, env=None):
    r = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
    return r.returncode, r.stdout, r.stderr


def by_model(out):
    return {f["model"]: f for f in json.loads(out)["finalists"]}


def main():
    mnas, script = sys.argv[1], sys.argv[2]
    if not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        print("SKIPPED: no /usr/share/datasets/fashion-mnist (dataset-fashion-mnist)")
        return 77
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)
            print("FAILED:", what)

    env = dict(os.environ, MNAS=mnas)
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "s.db")
        rc, _, err = run([mnas, "search", "--store", store, "--evaluator", "surrogate",
                          "--device", "local", "--target-ms", "0.5", "--trials", "4",
                          "--batch", "2", "--references", "none"])
        if rc != 0:
            print(err[-2000:])
            print("FAILED: the surrogate search")
            return 1
        single = os.path.join(tmp, "single.db")
        shutil.copy(store, single)

        rc, out, err = run(["bash", script, "2", store, *PLAN, "--threads", "1", "--json"], env)
        print(err[-3000:])
        check(rc == 0, f"finalize_parallel exited {rc}")
        if rc != 0:
            return 1
        parallel = by_model(out)
        check(sorted(parallel) == sorted(["mobilenetv2", next(m for m in parallel if m.startswith("trial "))]),
              f"the plan's two networks: {sorted(parallel)}")
        check(err.count("gathered into") == 2, "both jobs gathered into the store")
        check("2 networks (2 done before)" in err, "the last pass found both done")
        for f in parallel.values():
            check(f["status"] == "done", f"{f['model']} done: {f.get('failure')}")
            check(os.path.isfile(f["checkpoint"]), f"{f['model']}'s checkpoint is there")
        check(os.path.isfile(os.path.join(tmp, "s.finalists", "job-0.log")), "job logs kept")

        rc, out, err = run([mnas, "finalize", single, *PLAN, "--threads", "1", "--json"])
        check(rc == 0, f"the single finalize exited {rc}: {err[-500:]}")
        if rc == 0:
            for model, f in by_model(out).items():
                check(f["test_top1"] == parallel[model]["test_top1"],
                      f"{model}: test accuracy {parallel[model]['test_top1']} in parallel, "
                      f"{f['test_top1']} alone")

        rc, _, err = run(["bash", script, "2", store, *PLAN, "--threads", "1"], env)
        check(rc == 0 and err.count("1 networks (1 done before)") == 2 and
              "2 networks (2 done before)" in err and "done: test" not in err,
              f"a second run trains nothing (rc {rc}): {err[-1500:]}")

        for args, message in [(["0", store], "JOBS must be a positive number"),
                              (["2", os.path.join(tmp, "absent.db")], "no store"),
                              (["2", store, "--remeasure"], "--remeasure is for a single mnas finalize")]:
            rc, _, err = run(["bash", script, *args], env)
            check(rc == 2 and message in err, f"{args}: exit 2 with '{message}' (got {rc}: {err[-300:]})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
