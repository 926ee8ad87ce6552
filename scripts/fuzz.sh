#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang, AddressSanitizer and UBSan into ./build-fuzz
# and runs each for FUZZ_SECONDS (default 20) from its seed corpus (fuzz/corpus/<name>, copied into
# build-fuzz/corpus/<name>, which keeps what it grows). A crash, a leak, a sanitizer report or an
# mnas assertion fails the run; the input is left in build-fuzz/crashes/ — turn it into a
# regression test. `bash scripts/fuzz.sh device_request` runs one harness.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-20}"
NAMES=(architecture_text architecture_json search_space device_request lut_key device_answer
       lookup_table weights_file idx cifar image checkpoint_header store_rows)
if [ "$#" -gt 0 ]; then NAMES=("$@"); fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMNAS_DEVICE_ONLY=ON -DMNAS_BUILD_TESTS=OFF \
  -DMNAS_SANITIZE=ON -DMNAS_BUILD_FUZZERS=ON >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target "${NAMES[@]/#/fuzz_}"
mkdir -p build-fuzz/crashes
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
for name in "${NAMES[@]}"; do
  corpus="build-fuzz/corpus/$name"
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $name for ${SECONDS_EACH} s"
  "build-fuzz/fuzz/fuzz_$name" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
    -max_len=65536 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$name-" "$corpus" 2>&1 | tail -n 12
  # libFuzzer exits non-zero on a finding; pipefail carries it.
done
echo "fuzz: no findings in ${#NAMES[@]} harness(es)"
