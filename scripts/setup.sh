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
  # an optimised BLAS for LibTorch (and the PyTorch peer): without it both fall back to the
  # reference BLAS, ~20x slower on 1x1 convolutions
  libopenblas0-openmp
  # default proxy data set
  dataset-fashion-mnist
  # peer benchmarks and golden tests only; never needed at run time
  python3-torchvision
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

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
