#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang, AddressSanitizer and UBSan into ./build-asan
# (scripts/configure-asan.sh: nothing to build when scripts/sanitize.sh ran first) and runs each
# for FUZZ_SECONDS (default 20) from its seed corpus (fuzz/corpus/<name>, copied into
# build-asan/corpus/<name>, which keeps what it grows). A crash, a leak, a sanitizer report or an
# mnas assertion fails the run; the input is left in build-asan/crashes/ — turn it into a
# regression test and a seed. `bash scripts/fuzz.sh device_request` runs one harness.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-20}"
NAMES=(architecture_text architecture_json search_space device_request http_request lut_key device_answer
       lookup_table weights_file idx cifar image coco_json checkpoint_header store_rows)
if [ "$#" -gt 0 ]; then NAMES=("$@"); fi
bash scripts/configure-asan.sh
cmake --build build-asan --parallel "$(nproc)" --target "${NAMES[@]/#/fuzz_}"
mkdir -p build-asan/crashes
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
for name in "${NAMES[@]}"; do
  corpus="build-asan/corpus/$name"
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $name for ${SECONDS_EACH} s"
  "build-asan/fuzz/fuzz_$name" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
    -max_len=65536 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="build-asan/crashes/$name-" "$corpus" 2>&1 | tail -n 12
  # libFuzzer exits non-zero on a finding; pipefail carries it.
done
echo "fuzz: no findings in ${#NAMES[@]} harness(es)"
