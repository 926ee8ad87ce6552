"""Latency from Python: the dict `mnas latency --json` prints, on this machine and on an
mnas-device server, with bad input as mnas errors."""
import os
import socket
import subprocess
import threading
import time

import pytest

import mnas

BUILD = os.path.join(os.path.dirname(mnas.__file__), "..", "..")


def test_a_local_measurement_is_the_dict_the_cli_prints():
    arch = mnas.architecture("mnasnet-small", input="28x28x1", classes=10)
    r = mnas.measure_latency(arch, protocol="quick")
    assert r["median_ms"] > 0 and r["runs"] >= 5
    assert r["canonical"] == arch.canonical
    assert r["protocol"]["min_runs"] == 5
    assert r["provenance"]["engine"] == "xnnpack"
    custom = mnas.measure_latency(arch, protocol={"preset": "quick", "min_runs": 7})
    assert custom["protocol"]["min_runs"] == 7


def test_int8_is_timed_here_and_said_in_the_provenance():
    arch = mnas.architecture("mnasnet-a1", input="64x64x3", classes=10)
    r = mnas.measure_latency(arch, protocol="quick", precision="int8")
    assert r["median_ms"] > 0 and r["provenance"]["precision"] == "int8"
    assert mnas.measure_latency(arch, protocol="quick")["provenance"]["precision"] == "fp32"
    with pytest.raises(mnas.Error) as e:
        mnas.measure_latency(arch, protocol="quick", precision="fp16")
    assert e.value.field == "precision"


def test_other_threads_run_while_one_measures():
    arch = mnas.architecture("mobilenetv2", input="64x64x3", classes=10)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    t = threading.Thread(target=tick)
    t.start()
    mnas.measure_latency(arch, protocol={"preset": "quick", "min_seconds": 0.3,
                                         "max_seconds": 0.5})
    stop.set()
    t.join()
    assert len(ticks) > 20  # the GIL was released: the ticker ran during the measurement


@pytest.mark.parametrize("kwargs, field", [
    ({"protocol": "slowest"}, None),
    ({"protocol": {"min_runs": 0}}, None),
    ({"protocol": {"colour": 1}}, None),
    ({"threads": 0}, None),
    ({"device": "ftp://x"}, "device"),
    ({"protocol": {"min_runs": object()}}, None),
])
def test_bad_arguments_are_mnas_errors(kwargs, field):
    arch = mnas.architecture("mnasnet-small", input="28x28x1", classes=10)
    with pytest.raises(mnas.Error) as raised:
        mnas.measure_latency(arch, **kwargs)
    if field:
        assert field in str(raised.value)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_mnas_device_server_measures_with_its_token(tmp_path):
    binary = os.path.join(BUILD, "mnas-device")
    if not os.path.exists(binary):
        pytest.skip("no mnas-device in this build")
    token = "t" * 32
    (tmp_path / "token").write_text(token)
    port = free_port()
    server = subprocess.Popen([binary, "--bind", f"127.0.0.1:{port}",
                               "--token-file", str(tmp_path / "token"), "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        arch = mnas.architecture("mnasnet-small", input="28x28x1", classes=10)
        deadline = time.monotonic() + 20
        while True:
            try:
                r = mnas.measure_latency(arch, device=url, token=token, protocol="quick")
                break
            except mnas.IOError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert r["median_ms"] > 0
        assert r["provenance"]["device"] == url
        assert r["provenance"]["precision"] == "fp32"
        q = mnas.measure_latency(arch, device=url, token=token, protocol="quick",
                                 precision="int8")
        assert q["provenance"]["precision"] == "int8" and q["provenance"]["device"] == url
        with pytest.raises((mnas.Error, mnas.IOError)):
            mnas.measure_latency(arch, device=url, token="w" * 32, protocol="quick")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_ctrl_c_stops_a_long_local_measurement():
    import signal
    arch = mnas.architecture("mobilenetv2", input="64x64x3", classes=10)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        mnas.measure_latency(arch, protocol={"preset": "quick", "min_seconds": 60,
                                             "max_seconds": 60, "min_runs": 1000000})
    timer.cancel()
    assert time.monotonic() - start < 10  # not the protocol's 60 s
    # and the module still works afterwards
    assert mnas.measure_latency(arch, protocol="quick")["median_ms"] > 0
