#!/usr/bin/env bash
# ThreadSanitizer run of the threaded tests (by hand, not CI: the TSan build
# of the library alone takes long on 2 cores; cached rebuilds are quick).
#   scripts/tsan.sh [gtest filter]       default: every test of qforge_tsan_tests
# Builds the library and qforge_tsan_tests (tests/tsan/CMakeLists.txt:
# sessions on 2 threads, parallel sessions, the optimized kernels on the
# thread pool) with -fsanitize=thread in build-tsan/ (GCC by default; set
# CC/CXX for clang) and runs them; fails on any data race report.
# XNNPACK, pthreadpool and cpuinfo are the system's uninstrumented builds:
# TSan cannot see the thread pool's synchronization, so every kernel qforge
# runs on it would look like a race. Give the run pthreadpool's source,
#   QFORGE_PTHREADPOOL_SRC=DIR scripts/tsan.sh
# (DIR: a checkout of github.com/Maratyszcza/pthreadpool at 1787867, the
# snapshot Debian 12 ships as 0.0~git20210507.1787867), and it is built
# with -fsanitize=thread as libpthreadpool.so.0 and loaded in place of the
# system's (XNNPACK finds it by soname). TSan does not model
# atomic_thread_fence, which pthreadpool pairs with relaxed atomics, so that
# build makes its atomics sequentially consistent: stronger ordering, the
# same program, and a hand-off TSan can follow.
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
if [[ -n "${QFORGE_PTHREADPOOL_SRC:-}" ]]; then
  [[ -f /usr/include/fxdiv.h ]] || apt-get install -y -q libfxdiv-dev >/dev/null
  pool="$BUILD_DIR/pthreadpool-tsan"
  rm -rf "$pool" && mkdir -p "$pool" && cp -r "$QFORGE_PTHREADPOOL_SRC/include" "$QFORGE_PTHREADPOOL_SRC/src" "$pool/"
  sed -i -E 's/memory_order_(relaxed|acquire|release)\b/memory_order_seq_cst/g; s/__ATOMIC_(RELAXED|ACQUIRE|RELEASE)\b/__ATOMIC_SEQ_CST/g' \
    "$pool/src/threadpool-atomics.h"
  (cd "$pool" && gcc -fsanitize=thread -O1 -g -fPIC -shared -std=gnu11 -Wno-tsan -Iinclude -Isrc \
    -DPTHREADPOOL_USE_FUTEX=1 -DPTHREADPOOL_USE_GCD=0 -DPTHREADPOOL_USE_EVENT=0 -DPTHREADPOOL_USE_FASTPATH=1 \
    src/legacy-api.c src/portable-api.c src/memory.c src/pthreads.c src/fastpath.c \
    -Wl,-soname,libpthreadpool.so.0 -o libpthreadpool.so.0 -lpthread)
  export LD_LIBRARY_PATH="$PWD/$pool${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "== tsan: pthreadpool instrumented from $QFORGE_PTHREADPOOL_SRC"
else
  echo "== tsan: the system pthreadpool (not instrumented): reports through it need a second look"
fi
start=$SECONDS
# halt_on_error: the first race fails the run with its two stacks.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4" \
  "$BUILD_DIR/tests/tsan/qforge_tsan_tests" --gtest_filter="$FILTER"
echo "== tsan: no data race ($((SECONDS - start)) s of tests, $(date -u +%T))"
