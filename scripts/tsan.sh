#!/usr/bin/env bash
# ThreadSanitizer run of the threaded tests (by hand, not CI: the TSan build
# of the library alone takes long on 2 cores; cached rebuilds are quick).
#   scripts/tsan.sh [gtest filter]       default: every test of qforge_tsan_tests
# Builds the library and qforge_tsan_tests (tests/tsan/CMakeLists.txt:
# sessions on 2 threads, parallel sessions, the optimized kernels on the
# thread pool) with -fsanitize=thread in build-tsan/ (GCC by default; set
# CC/CXX for clang) and runs them; fails on any data race report.
# XNNPACK, pthreadpool and cpuinfo are the system's uninstrumented builds:
# TSan cannot see their synchronization, so a report whose stack is only in
# them needs a second look before it is called a qforge race.
set -euo pipefail
cd "$(dirname "$0")/.."

FILTER="${1:-*}"
BUILD_DIR="${QFORGE_TSAN_BUILD_DIR:-build-tsan}"
LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

echo "== tsan: configure $BUILD_DIR ($(date -u +%T))"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQFORGE_TSAN=ON -DQFORGE_BUILD_TESTS=OFF \
  -DQFORGE_BUILD_BENCH=OFF "${LAUNCHER[@]}" >/dev/null
start=$SECONDS
cmake --build "$BUILD_DIR" -j"${QFORGE_JOBS:-2}" --target qforge_tsan_tests
echo "== tsan: built in $((SECONDS - start)) s"
start=$SECONDS
# halt_on_error: the first race fails the run with its two stacks.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4" \
  "$BUILD_DIR/tests/tsan/qforge_tsan_tests" --gtest_filter="$FILTER"
echo "== tsan: no data race ($((SECONDS - start)) s of tests, $(date -u +%T))"
