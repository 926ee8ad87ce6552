#!/usr/bin/env bash
# Configures ./build-asan, the one build that both hardening jobs use: clang, the torch-free
# modules (space, latency, serve, the data readers, checkpoint framing, the store), their tests
# and the libFuzzer harnesses, all with AddressSanitizer + UndefinedBehaviorSanitizer.
# scripts/sanitize.sh builds and runs the tests, scripts/fuzz.sh the fuzzers: one compile serves
# both.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMNAS_DEVICE_ONLY=ON -DMNAS_BUILD_TESTS=ON \
  -DMNAS_SANITIZE=ON -DMNAS_BUILD_FUZZERS=ON >/dev/null
