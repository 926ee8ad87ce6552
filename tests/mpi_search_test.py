#!/usr/bin/env python3
"""A search on several MPI ranks (mpirun on loopback) against the same search in one process.

1. mpirun -np 3 (two worker ranks), surrogate evaluator: the store holds the same trials (step,
   index, architecture, tokens, results, cached), references and strategy states as the store of
   one process with the same seed; only ids and timings may differ.
2. mpirun -np 4 with a per-trial cost, a worker rank killed with SIGKILL mid-search: the job
   ends, the store keeps what finished; `--resume` on 2 ranks ends with exactly the asked number
   of trials, equal to the single-process store.
   The same with --fidelity 1000,5000 --fidelity-continue (rungs and trials).
   A worker rank stopped with SIGSTOP mid-search (heartbeats every 0.2 s): rank 0 gives it up after
   1.2 s, its trial goes to another rank, the search stores every trial (the single-process
   store), and the job ends (MPI_Abort, since MPI cannot finish with a stopped rank) in bounded
   time. The same for a worker stopped while idle, given a task later or never.
3. A configuration that would time candidates on cores that train (local latency) is refused.

Usage: mpi_search_test.py MNAS_BINARY
"""
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]
TRIALS_COLUMNS = ("step, idx, canonical, tokens, status, failure, accuracy, latency_ms, reward, "
                  "latency_json, cached")


def rows(store, sql):
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def content(store):
    return {
        "trials": rows(store, f"SELECT {TRIALS_COLUMNS} FROM trials ORDER BY step, idx"),
        "references": rows(store, "SELECT name, canonical, status, failure, accuracy, latency_ms, "
                                  "reward FROM references_ ORDER BY name"),
        # The strategy's own fields (baseline, RNG state, ...) byte for byte; the LibTorch archive
        # after them is left out: it writes the optimizer's state in an order that depends on
        # memory addresses, so two identical processes write it differently. Whether it is the
        # same state is what the resume below shows (the same next proposals).
        "strategy": [(step, state[:state.find(b"PK\x03\x04")])
                     for step, state in rows(store, "SELECT step, state FROM controller ORDER BY step")],
    }


REFERENCES = "mnasnet-a1,mobilenetv2"


def search_args(mnas, store, batch=5, references=REFERENCES):
    return [mnas, "search", "--evaluator", "surrogate", "--store", store, "--seed", "11",
            "--trials", "24", "--batch", str(batch), "--references", references]


def search(mnas, store, np_=None, extra=(), check=True, batch=5, references=REFERENCES):
    cmd = ([*MPIRUN, "-np", str(np_)] if np_ else []) + [
        *search_args(mnas, store, batch, references), *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if check and r.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)} exited {r.returncode}:\n{r.stderr[-3000:]}")
    return r


def rank_pid(rank, marker):
    """The pid of the mnas process of MPI rank `rank` whose command line holds `marker`."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if marker in cmdline and "mpirun" not in cmdline and \
                f"OMPI_COMM_WORLD_RANK={rank}" in environ:
            return int(entry)
    return None


def start_with_victim(mnas, store, mpirun_extra=(), rank=2, batch=5, references=REFERENCES):
    """Starts a 4-rank search with 250 ms trials on `store`; once 3 trials are stored, returns
    the job and the pid of worker rank `rank`."""
    cmd = [*MPIRUN, *mpirun_extra, "-np", "4", *search_args(mnas, store, batch, references),
           "--surrogate-cost-ms", "250"]
    job = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and job.poll() is None:
        if os.path.exists(store):
            try:
                if rows(store, "SELECT COUNT(*) FROM trials")[0][0] >= 3:
                    victim = rank_pid(rank, store)
                    if victim:
                        return job, victim
            except sqlite3.Error:
                pass
        time.sleep(0.05)
    job.kill()
    sys.exit(f"FAILED: could not find worker rank {rank} of {store}")


def main():
    mnas = os.path.abspath(sys.argv[1])
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        one = os.path.join(tmp, "one.db")
        search(mnas, one)
        expected = content(one)
        assert len(expected["trials"]) == 24 and len(expected["references"]) == 2

        # 1. Two worker ranks: the same store.
        three = os.path.join(tmp, "three.db")
        r = search(mnas, three, np_=3)
        if "on 2 MPI worker rank(s)" not in r.stderr:
            failures.append("the search did not say it runs on 2 worker ranks:\n" + r.stderr[-2000:])
        if content(three) != expected:
            failures.append("mpirun -np 3 stored other trials than one process")

        # 1b. Multi-fidelity whose rungs continue one run (the task message carries the run's
        # images): two worker ranks store the same trials and rungs as one process.
        rung_sql = "SELECT step, idx, rung, images, status, accuracy, reward FROM rungs ORDER BY 1, 2, 3"
        fidelity = ["--fidelity", "1000,5000", "--fidelity-continue"]
        one_f, three_f = os.path.join(tmp, "one-f.db"), os.path.join(tmp, "three-f.db")
        search(mnas, one_f, extra=fidelity)
        search(mnas, three_f, np_=3, extra=fidelity)
        if content(three_f) != content(one_f) or rows(three_f, rung_sql) != rows(one_f, rung_sql):
            failures.append("mpirun -np 3 with continued rungs stored another search than one "
                            "process")
        elif not rows(one_f, rung_sql):
            failures.append("the multi-fidelity search stored no rungs")

        # 2. A worker killed mid-search, then a resume on another number of ranks.
        killed = os.path.join(tmp, "killed.db")
        job, victim = start_with_victim(mnas, killed)
        os.kill(victim, signal.SIGKILL)
        _, err = job.communicate(timeout=120)
        kept = rows(killed, "SELECT COUNT(*) FROM trials")[0][0]
        print(f"killed worker rank 2 (pid {victim}); mpirun exited {job.returncode}; "
              f"{kept} trials kept")
        if job.returncode == 0:
            failures.append("mpirun exited 0 after a worker was killed")
        if not 3 <= kept < 24:
            failures.append(f"{kept} trials kept after the kill")
        r = subprocess.run([*MPIRUN, "-np", "2", mnas, "search", "--store", killed, "--resume",
                            "--references", "mnasnet-a1,mobilenetv2"],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            failures.append(f"--resume on 2 ranks exited {r.returncode}:\n{r.stderr[-2000:]}")
        elif content(killed) != expected:
            got = content(killed)
            failures.append(f"after kill and resume: {len(got['trials'])} trials, "
                            f"{len(got['references'])} references, not the single-process store")

        # 2b. A worker stopped (SIGSTOP) with heartbeats every 0.2 s: given up, its work done
        # elsewhere, the search stored in full, the job ended in bounded time.
        # (i) Rank 2, 3 trials into the search: given up for a missed heartbeat.
        # With 2 trials a step on 3 workers, rank 3 never gets a trial (the last worker to answer
        # gets the next task), so it is stopped idle: (ii) the three references after the trials
        # give it one, which must not hold rank 0 (a send to a stopped rank never ends: it did
        # hold it, in CI); it misses its heartbeats. (iii) With two references it is never given
        # anything: rank 0 gives it up when it does not answer the end of the job.
        for name, rank, batch, references, said in (
                ("mid-search", 2, 5, REFERENCES, "MPI rank 2: no heartbeat for 1.2 s"),
                ("idle-then-task", 3, 2, REFERENCES + ",mnasnet-small",
                 "MPI rank 3: no heartbeat for 1.2 s"),
                ("idle-to-the-end", 3, 2, REFERENCES,
                 "MPI rank(s) 3 did not answer the end of the job within 1.2 s")):
            want = one  # the single-process store of the same search
            if (batch, references) != (5, REFERENCES):
                want = os.path.join(tmp, name + "-one.db")
                search(mnas, want, batch=batch, references=references)
            store = os.path.join(tmp, name + ".db")
            started = time.time()
            job, victim = start_with_victim(mnas, store, ("-x", "MNAS_MPI_HEARTBEAT=0.2"),
                                            rank=rank, batch=batch, references=references)
            os.kill(victim, signal.SIGSTOP)
            try:
                _, err = job.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                job.kill()
                _, err = job.communicate()
                failures.append(f"{name}: a search with a stopped worker rank did not end within "
                                "120 s")
            finally:
                try:
                    os.kill(victim, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            print(f"{name}: stopped worker rank {rank} (pid {victim}); mpirun exited "
                  f"{job.returncode} after {time.time() - started:.1f} s")
            if said not in err:
                failures.append(f"{name}: the stopped rank was not reported as '{said}':\n"
                                + err[-2000:])
            if job.returncode == 0:
                failures.append(f"{name}: mpirun exited 0 with a stopped rank")
            if content(store) != content(want):
                failures.append(f"{name}: with a stopped rank: "
                                f"{len(content(store)['trials'])} trials, "
                                f"{len(content(store)['references'])} references, not the "
                                "single-process store")

        # 2c. A heartbeat that is not a number of seconds is refused before anything is written.
        bad = os.path.join(tmp, "bad-heartbeat.db")
        r = subprocess.run([*MPIRUN, "-x", "MNAS_MPI_HEARTBEAT=soon", "-np", "2", mnas, "search",
                            "--evaluator", "surrogate", "--store", bad, "--trials", "2"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode == 0 or "MNAS_MPI_HEARTBEAT: 'soon' is not seconds" not in r.stderr or \
                os.path.exists(bad):
            failures.append(f"a bad MNAS_MPI_HEARTBEAT not refused cleanly (exit {r.returncode}):\n"
                            + r.stderr[-1500:])

        # 3. Local latency on several ranks is refused before anything is written.
        refused = os.path.join(tmp, "refused.db")
        r = subprocess.run([*MPIRUN, "-np", "2", mnas, "search", "--store", refused, "--trials", "2"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode == 0 or "cannot time candidates on this machine" not in r.stderr or \
                os.path.exists(refused):
            failures.append(f"local latency on 2 ranks not refused cleanly (exit {r.returncode}):\n"
                            + r.stderr[-1500:])
    for f in failures:
        print("FAILED:", f)
    print("FAILED" if failures else "OK: 1 process, 3 ranks, and a killed 4-rank job resumed on 2 "
          "ranks store the same search")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
