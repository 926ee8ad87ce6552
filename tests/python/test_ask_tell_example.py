"""The documented ask/tell example (examples/pytorch/ask_tell.py) runs a 6-trial search on 300
Fashion-MNIST images, its PyTorch training loop in charge: every trial stored, told by the
script, its latency measured by mnas."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

import mnas

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "pytorch",
                       "ask_tell.py")
DATA = "/usr/share/datasets/fashion-mnist"


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="no python3-torch")
@pytest.mark.skipif(not os.path.isdir(DATA), reason="no dataset-fashion-mnist")
def test_the_example_searches_six_trials(tmp_path):
    store = str(tmp_path / "example.db")
    run = subprocess.run([sys.executable, EXAMPLE, "--store", store, "--trials", "6",
                          "--train-images", "300", "--holdout", "200"],
                         capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["trials"] == 6
    trials = mnas.Store(store).trials()
    assert len(trials) == 6 and {t["step"] for t in trials} == {0, 1}
    done = [t for t in trials if t["status"] == "done"]
    assert done, [t["failure"] for t in trials]
    for t in done:
        assert 0 <= t["accuracy"] <= 1 and t["latency_ms"] > 0
        assert t["latencies"][0]["device"] == "local"  # measured by mnas on tell
        assert set(t["metrics"]) == {"loss", "train_seconds"}
    assert mnas.Store(store).config()["evaluator"] == "external"
