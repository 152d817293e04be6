#!/usr/bin/env bash
# Fuzzes the TFLite reader with libFuzzer for a bounded time (CI runs this).
#   scripts/fuzz.sh [seconds]      default 60 (or $QFORGE_FUZZ_SECONDS)
# Builds only the library and the fuzz target with clang, ASan and UBSan in
# build-fuzz/, runs on a COPY of the committed seed corpus
# (tests/fuzz/corpus/tflite stays untouched), and fails on any crash, leak,
# timeout or out-of-memory, printing the reproducer's path and how to replay it.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${1:-${QFORGE_FUZZ_SECONDS:-60}}"
BUILD_DIR="${QFORGE_FUZZ_BUILD_DIR:-build-fuzz}"
SEEDS=tests/fuzz/corpus/tflite
JOBS="${QFORGE_JOBS:-2}"

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (scripts/install_deps.sh installs clang-14)" >&2; exit 1; }
done
LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

echo "== fuzz: configure $BUILD_DIR ($(date -u +%T))"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQFORGE_FUZZ=ON \
  -DQFORGE_BUILD_TESTS=OFF -DQFORGE_BUILD_BENCH=OFF "${LAUNCHER[@]}" >/dev/null
echo "== fuzz: build qforge_tflite_reader_fuzz ($(date -u +%T))"
start=$(date +%s)
cmake --build "$BUILD_DIR" -j"$JOBS" --target qforge_tflite_reader_fuzz
echo "== fuzz: built in $(($(date +%s) - start)) s"

WORK="$BUILD_DIR/fuzz-run"
rm -rf "$WORK"
mkdir -p "$WORK/corpus" "$WORK/artifacts"
cp "$SEEDS"/* "$WORK/corpus/"
echo "== fuzz: ${SECONDS_TO_RUN} s on a copy of $SEEDS ($(ls "$SEEDS" | wc -l) seeds) ($(date -u +%T))"
status=0
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$BUILD_DIR/tests/fuzz/qforge_tflite_reader_fuzz" "$WORK/corpus" \
  -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -artifact_prefix="$WORK/artifacts/" -print_final_stats=1 >"$WORK/fuzz.log" 2>&1 || status=$?
tail -n 25 "$WORK/fuzz.log"
artifacts=$(find "$WORK/artifacts" -type f | sort)
if [[ $status -ne 0 || -n "$artifacts" ]]; then
  echo "== fuzz: FAILED (exit $status); full log: $WORK/fuzz.log" >&2
  for a in $artifacts; do
    echo "reproducer: $a" >&2
    echo "  replay: $BUILD_DIR/tests/fuzz/qforge_tflite_reader_fuzz $a" >&2
  done
  exit 1
fi
echo "== fuzz: no crash, leak or timeout ($(date -u +%T))"
