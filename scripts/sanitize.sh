#!/usr/bin/env bash
# Builds the torch-free modules (space, latency, serve, the data readers, the store: what reads
# input from outside) with AddressSanitizer and UndefinedBehaviorSanitizer into ./build-asan
# (scripts/configure-asan.sh; the fuzzers are built there too) and runs their tests there. Any report fails the run (halt_on_error; UBSan does not recover).
# Extra arguments go to ctest, e.g. `bash scripts/sanitize.sh -R DeviceService`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/configure-asan.sh
cmake --build build-asan --parallel "$(nproc)"
# XNNPACK and pthreadpool are not instrumented; leak checking stays on for our code.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
