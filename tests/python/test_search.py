"""Ask/tell from Python: mnas.Search stores the search `mnas search` stores, resumes the CLI's
searches and is resumed by the CLI, loses nothing told when interrupted, and answers bad input
with mnas errors that name the argument or field."""
import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

import mnas

BUILD = os.path.join(os.path.dirname(mnas.__file__), "..", "..")
CLI = os.path.join(BUILD, "mnas")
SURROGATE = {"evaluator": "surrogate", "strategy": "ppo", "batch": 3, "seed": 7}
CLI_SURROGATE = ["--evaluator", "surrogate", "--strategy", "ppo", "--batch", "3", "--seed", "7",
                 "--references", "none"]


def drive(search, limit=None):
    """Asks, evaluates with the search's own evaluator and tells, one trial at a time."""
    told = 0
    while limit is None or told < limit:
        trial = search.ask()
        if trial is None:
            break
        search.tell(trial, **search.evaluate(trial))
        told += 1
    return told


def outcome(path):
    """Every stored trial as (step, index, canonical, reward), in step order."""
    return sorted((t["step"], t["index"], t["canonical"], round(t["reward"], 12))
                  for t in mnas.Store(path).trials())


def cli_search(path, *flags):
    run = subprocess.run([CLI, "search", "--store", str(path), *flags], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr


def test_ask_evaluate_tell_store_the_clis_search(tmp_path):
    told = tmp_path / "told.db"
    with mnas.Search(str(told), SURROGATE, trials=9) as search:
        assert search.is_new and search.length == 9
        assert search.evaluator == "synthetic-surrogate"
        assert search.config["latency"] == "surrogate" and search.config["batch"] == 3
        assert drive(search) == 9
        assert search.finished and search.ask() is None and search.ask(3) == []
        assert len(search.results()) == 9
    cli = tmp_path / "cli.db"
    cli_search(cli, *CLI_SURROGATE, "--trials", "9")
    assert outcome(told) == outcome(cli)
    # `mnas results` reads it as its own.
    run = subprocess.run([CLI, "results", str(told)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "9 trials" in run.stdout + run.stderr


def test_a_trial_carries_its_place_and_architecture(tmp_path):
    with mnas.Search(str(tmp_path / "t.db"), SURROGATE, trials=3) as search:
        step = search.ask(5)
        assert [t.index for t in step] == [0, 1, 2] and {t.step for t in step} == {0}
        t = step[0]
        assert isinstance(t.architecture, mnas.Architecture)
        assert t.architecture.canonical == t.canonical
        assert len(t.tokens) == len(mnas.default_space().decisions())
        assert t.rung is None and t.rungs == 0 and t.measures_latency
        assert t.train_images == 5000 and t.to_dict()["id"] == t.id
        assert [p.id for p in search.pending] == [x.id for x in step]
        with pytest.raises(mnas.Error, match="tell them first") as e:
            search.ask()
        assert e.value.field == "ask"
        result = search.evaluate(t)
        assert set(result) >= {"accuracy", "latency_ms", "seconds"}
        search.tell(t.id, **result)  # the id does as well as the trial
        assert len(search.pending) == 2


def test_the_cli_resumes_an_ask_tell_search_and_the_other_way_round(tmp_path):
    whole = tmp_path / "whole.db"
    cli_search(whole, *CLI_SURROGATE, "--trials", "9")
    # Python starts, the CLI finishes.
    started = tmp_path / "py_then_cli.db"
    with mnas.Search(str(started), SURROGATE, trials=9) as search:
        drive(search, limit=4)
    cli_search(started, "--resume")
    assert outcome(started) == outcome(whole)
    # The CLI starts, Python finishes (to the length it asks for).
    cli_started = tmp_path / "cli_then_py.db"
    cli_search(cli_started, *CLI_SURROGATE, "--trials", "6")  # two whole steps of 3
    with mnas.Search.resume(str(cli_started), trials=9) as search:
        assert not search.is_new
        assert drive(search) == 3
    assert outcome(cli_started) == outcome(whole)


def test_an_interrupted_search_resumes_with_nothing_told_lost(tmp_path):
    path = tmp_path / "killed.db"
    script = textwrap.dedent(f"""
        import os, signal, mnas
        search = mnas.Search({str(path)!r}, {SURROGATE!r}, trials=9)
        for _ in range(4):
            t = search.ask()
            search.tell(t, **search.evaluate(t))
        search.ask(2)  # asked, never told
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    run = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), timeout=120)
    assert run.returncode == -signal.SIGKILL
    assert len(outcome(path)) == 4
    with mnas.Search.resume(str(path)) as search:
        again = search.ask(5)
        assert [(t.step, t.index) for t in again] == [(1, 1), (1, 2)]
        for t in again:
            search.tell(t, **search.evaluate(t))
        drive(search)
    whole = tmp_path / "whole.db"
    with mnas.Search(str(whole), SURROGATE, trials=9) as search:
        drive(search)
    assert outcome(path) == outcome(whole)


def test_parallel_workers_ask_with_wait(tmp_path):
    with mnas.Search(str(tmp_path / "w.db"), SURROGATE, trials=12) as search:
        done = []
        lock = threading.Lock()

        def worker():
            while (t := search.ask(wait=True)) is not None:
                search.tell(t, **search.evaluate(t))
                with lock:
                    done.append(t.id)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(done) == 12 and search.finished


def test_ctrl_c_while_waiting_raises_keyboard_interrupt(tmp_path):
    with mnas.Search(str(tmp_path / "c.db"), SURROGATE, trials=6) as search:
        search.ask(3)
        timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            search.ask(wait=True)  # nobody else will tell
        timer.join()
        assert len(search.pending) == 3


def test_an_external_search_measures_latency_on_tell(tmp_path):
    path = tmp_path / "e.db"
    config = {"batch": 1, "space": {"input": "16x16x1"}}
    with mnas.Search(str(path), config, trials=1) as search:
        assert search.config["evaluator"] == "external"
        trial = search.ask()
        assert trial.measures_latency
        with pytest.raises(mnas.Error) as e:
            search.evaluate(trial)
        assert e.value.field == "evaluator"
        with pytest.raises(mnas.Error) as e:
            search.tell(trial, accuracy=0.9, latency_ms=3.0)
        assert e.value.field == "latency_ms"
        search.tell(trial, accuracy=0.9, metrics={"loss": 0.3})
    stored = mnas.Store(str(path)).trials()[0]
    assert stored["latency_ms"] > 0 and stored["status"] == "done"
    assert stored["metrics"] == {"loss": 0.3}
    assert stored["latencies"][0]["device"] == "local"
    # The CLI cannot evaluate its trials, and says why.
    run = subprocess.run([CLI, "search", "--store", str(path), "--resume", "--trials", "2"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "external" in run.stderr


def test_told_latency_is_judged_against_a_fixed_target(tmp_path):
    config = {"latency": "told", "devices": [{"name": "phone", "target_ms": 20}], "batch": 2}
    with mnas.Search(str(tmp_path / "l.db"), config, trials=2) as search:
        a, b = search.ask(2)
        with pytest.raises(mnas.Error) as e:
            search.tell(a, accuracy=0.8)
        assert e.value.field == "latency_ms"
        search.tell(a, accuracy=0.8, latency_ms=20.0)
        search.tell(b, failed="out of memory")
    rows = {t["index"]: t for t in mnas.Store(str(tmp_path / "l.db")).trials()}
    assert rows[0]["reward"] == pytest.approx(0.8)
    assert rows[1]["status"] == "failed" and rows[1]["failure"] == "out of memory"


@pytest.mark.parametrize("kwargs, field", [
    ({"store": ""}, "store"),
    ({"config": [1]}, "config"),
    ({"config": {"batchh": 3}}, "config"),
    ({"config": {"batch": 0}}, "config.batch"),
    ({"config": {"strategy": "genius"}}, "strategy"),
    ({"config": {"space": "nb201"}}, "config.table_space"),
    ({"trials": 0}, "trials"),
    ({"trials": "9"}, "trials"),
    ({"time_budget": -1}, "time_budget"),
    ({"threads": 10000}, "threads"),
    ({"train_device": "tpu"}, "train_device"),
    ({"token": 5}, "token"),
    ({"device_retries": -1}, "device_retries"),
    ({"device_timeout": 0}, "device_timeout"),
])
def test_bad_arguments_are_errors_that_name_them(tmp_path, kwargs, field):
    args = {"store": str(tmp_path / "bad.db"), "config": SURROGATE}
    args.update(kwargs)
    with pytest.raises(mnas.Error) as e:
        mnas.Search(args.pop("store"), args.pop("config"), **args)
    assert e.value.field.startswith(field) or field in str(e.value)
    assert not (tmp_path / "bad.db").exists()  # a refused search leaves no file


def test_bad_results_are_errors_and_the_trial_stays_out(tmp_path):
    with mnas.Search(str(tmp_path / "r.db"), SURROGATE, trials=3) as search:
        t = search.ask()
        good = search.evaluate(t)
        for kwargs, field in [({}, "accuracy"),
                              ({"accuracy": 91}, "accuracy"),
                              ({"accuracy": "high"}, "accuracy"),
                              ({"accuracy": 0.5}, "latency_ms"),
                              ({"accuracy": 0.5, "latency_ms": -1}, "latency_ms"),
                              ({**good, "metrics": [1]}, "metrics"),
                              ({**good, "metrics": {"top5": "x"}}, "metrics"),
                              ({"failed": 3}, "failed"),
                              ({"accuracy": 0.5, "failed": "why"}, "accuracy"),
                              ({**good, "seconds": -2}, "seconds")]:
            with pytest.raises(mnas.Error) as e:
                search.tell(t, **kwargs)
            assert e.value.field.startswith(field), (kwargs, e.value)
        with pytest.raises(mnas.Error) as e:
            search.tell("first", **good)
        assert e.value.field == "trial"
        with pytest.raises(mnas.Error, match="not out"):
            search.tell(t.id + 100, **good)
        with pytest.raises(mnas.Error) as e:
            search.ask(0)
        assert e.value.field == "n"
        assert len(search.pending) == 1
        search.tell(t, **good)
    with pytest.raises(mnas.Error, match="closed"):
        search.ask()


def test_a_resume_may_only_repeat_the_configuration(tmp_path):
    path = str(tmp_path / "s.db")
    mnas.Search(path, SURROGATE, trials=3).close()
    mnas.Search.resume(path, {"batch": 3}).close()
    with pytest.raises(mnas.Error) as e:
        mnas.Search.resume(path, {"batch": 4})
    assert e.value.field == "config.batch"
    with pytest.raises(mnas.Error, match="exists"):
        mnas.Search(path, SURROGATE)
    with pytest.raises(mnas.IOError, match="does not exist"):
        mnas.Search.resume(str(tmp_path / "none.db"))


def test_import_mnas_loads_libtorch_only_for_search():
    script = textwrap.dedent("""
        import mnas
        def torch_loaded():
            return "libtorch" in open("/proc/self/maps").read()
        assert not torch_loaded(), "import mnas loaded LibTorch"
        mnas.Search
        assert torch_loaded()
    """)
    run = subprocess.run([sys.executable, "-c", script], env=dict(os.environ),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_closing_ends_a_workers_wait(tmp_path):
    search = mnas.Search(str(tmp_path / "close.db"), SURROGATE, trials=6)
    search.ask(3)
    got = []
    worker = threading.Thread(target=lambda: got.append(search.ask(wait=True)))
    worker.start()
    worker.join(timeout=0.3)
    assert worker.is_alive()  # waiting for tells that do not come
    search.close()
    worker.join(timeout=30)
    assert not worker.is_alive() and got == [None]
    assert len(mnas.Store(str(tmp_path / "close.db")).trials()) == 0
