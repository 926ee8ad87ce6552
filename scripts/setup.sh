#!/usr/bin/env bash
# Installs every Debian package mnas needs to build, test and run (Debian 12).
# Idempotent and non-interactive: safe to run again; runs `apt-get update` once per invocation.
set -euo pipefail

PACKAGES=(
  # build tools
  build-essential cmake ninja-build pkg-config git clang-format
  # libraries
  libtorch-dev libxnnpack-dev libpthreadpool-dev libsqlite3-dev nlohmann-json3-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libstb-dev
  libopenmpi-dev openmpi-bin libcpp-httplib-dev
  # ONNX export (src/export: protobuf classes and the model checker); OpenCV DNN runs the
  # exported files in its tests
  libonnx-dev libprotobuf-dev libopencv-dnn-dev
  # mnas-device for arm64 boards (scripts/cross-arm64.sh) and its test under qemu-user
  g++-aarch64-linux-gnu qemu-user-static file
  # the fuzzers (scripts/fuzz.sh): clang with libFuzzer
  clang libclang-rt-14-dev
  # an optimised BLAS for LibTorch (and the PyTorch peer): without it both fall back to the
  # reference BLAS, ~20x slower on 1x1 convolutions
  libopenblas0-openmp
  # default proxy data set
  dataset-fashion-mnist
  # peer benchmarks and golden tests only; never needed at run time
  python3-torchvision
  # the tutorial's test checks the exported file in another engine (examples/check_onnx.py)
  python3-opencv python3-pil
  # the Python module (`import mnas`, src/python) and its tests
  pybind11-dev python3-pybind11 python3-dev python3-pytest
  # `pip install build/python` (docs/python.md) and its test: a virtual environment, offline
  python3-venv python3-pip python3-setuptools python3-wheel
  # Store.to_pandas() (optional for users: mnas needs no pandas) is tested with it
  python3-pandas
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The arm64 sysroot of scripts/cross-arm64.sh is made of arm64 .debs: apt needs their lists.
need_arm64_lists=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  need_arm64_lists=1
fi

if [ "${#missing[@]}" -eq 0 ] && [ "$need_arm64_lists" -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$need_arm64_lists" -eq 1 ]; then
  echo "setup: adding apt's arm64 package lists (for the arm64 sysroot of mnas-device)"
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -q
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "setup: done"
