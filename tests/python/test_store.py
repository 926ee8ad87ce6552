"""A store read from Python gives what `mnas results --json` gives."""
import json
import os
import subprocess

import pytest

import mnas

MNAS = os.path.join(os.path.dirname(mnas.__file__), "..", "..", "mnas")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    if not os.path.exists(MNAS):
        pytest.skip("no mnas binary in this build")
    path = str(tmp_path_factory.mktemp("store") / "s.db")
    subprocess.run([MNAS, "search", "--store", path, "--evaluator", "surrogate", "--trials", "8",
                    "--batch", "4", "--references", "mnasnet-small"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def test_trials_references_and_the_front_are_the_clis(store_path):
    store = mnas.Store(store_path)
    assert len(store) == 8
    trials = store.trials()
    assert [t["id"] for t in trials] == sorted(t["id"] for t in trials)
    assert all(mnas.architecture(t["canonical"]).canonical == t["canonical"] for t in trials)
    cli = json.loads(subprocess.run([MNAS, "results", store_path, "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    front = store.pareto()
    assert front and all(a["latency_ms"] <= b["latency_ms"] for a, b in zip(front, front[1:]))
    assert [t["canonical"] for t in front] == [t["canonical"] for t in cli["pareto"]]
    assert len(trials) == cli["trials"]
    refs = store.references()
    assert [r["name"] for r in refs] == ["mnasnet-small"]
    assert store.config()["evaluator"] == "surrogate"
    for d in store.devices():
        assert all(t["latency_ms"] > 0 for t in store.trials(device=d) if t["status"] == "done")


def test_a_store_that_is_not_there_or_not_a_store_is_an_error(tmp_path):
    with pytest.raises((mnas.Error, mnas.IOError)):
        mnas.Store(str(tmp_path / "none.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite" * 100)
    with pytest.raises((mnas.Error, mnas.IOError)):
        mnas.Store(str(junk))


def test_to_pandas_gives_the_rows_as_a_frame_or_says_what_it_needs(store_path):
    store = mnas.Store(store_path)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="needs pandas"):
            store.to_pandas()
        return
    frame = store.to_pandas()
    assert len(frame) == len(store) and "canonical" in frame.columns
    assert len(store.to_pandas("pareto")) == len(store.pareto())
    with pytest.raises(mnas.Error) as e:
        store.to_pandas("everything")
    assert e.value.field == "rows"
