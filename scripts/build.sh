#!/usr/bin/env bash
# Configures and builds mnas into ./build (Release, Ninja, tests on). Extra arguments go to CMake,
# e.g. `bash scripts/build.sh -DMNAS_BUILD_BENCHMARKS=ON`.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build --parallel "$(nproc)"
