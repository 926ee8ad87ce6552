"""`pip install build/python` (docs/python.md) installs the built module into a virtual
environment, offline, with Debian's setuptools: it imports from there, mnas.Search too."""
import os
import shutil
import subprocess
import sys

import pytest

import mnas

BUILT = os.path.dirname(os.path.dirname(os.path.abspath(mnas.__file__)))  # build/python


@pytest.mark.skipif(not os.path.exists(os.path.join(BUILT, "pyproject.toml")),
                    reason="not the module of a CMake build")
def test_pip_installs_the_built_module_offline(tmp_path):
    source = tmp_path / "python"
    shutil.copytree(BUILT, source, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                                  "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index",
                          "--no-build-isolation", "--no-deps", str(source)],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    check = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import mnas; print(mnas.__file__); print(mnas.Search.__name__)"],
                           capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    where, search = check.stdout.split()
    assert where.startswith(str(venv)) and search == "Search"
