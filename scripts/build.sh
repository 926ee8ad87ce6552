#!/usr/bin/env bash
# Configures and builds mnas into ./build (Release, Ninja, tests on). Extra arguments go to CMake,
# e.g. `bash scripts/build.sh -DMNAS_BUILD_BENCHMARKS=ON`. Then, when Debian's arm64 cross
# compiler is installed (scripts/setup.sh installs it), cross-builds mnas-device for arm64 boards
# into ./build-arm64 (scripts/cross-arm64.sh; its test runs it under qemu-user). MNAS_NO_ARM64=1
# skips that.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build --parallel "$(nproc)"
if [ "${MNAS_NO_ARM64:-0}" != 1 ] && command -v aarch64-linux-gnu-g++ >/dev/null; then
  bash scripts/cross-arm64.sh
fi
