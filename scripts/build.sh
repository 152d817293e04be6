#!/usr/bin/env bash
# Builds qforge. Usage: scripts/build.sh [release|asan] [cmake --build args...]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
shift || true
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # One sanitizer tree for the tests and the fuzzers: clang with ASan+UBSan
  # and libFuzzer's coverage instrumentation (fuzzer-no-link; the test
  # binaries get the sanitizer runtime's no-op coverage hooks), so CI
  # compiles the library under sanitizers once, not twice. -O1 with line
  # tables only: the checks are the same, the build much faster than -O2 -g,
  # and stack traces still name file and line. Asserts stay on (no NDEBUG).
  asan)
    dir=build-asan
    export CC=clang CXX=clang++
    flags=(-DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=-O1 -gline-tables-only" "-DCMAKE_C_FLAGS=-O1 -gline-tables-only"
           -DQFORGE_SANITIZE=ON -DQFORGE_FUZZ=ON -DQFORGE_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
# ccache, when installed, speeds up rebuilds in several build trees; optional.
if command -v ccache >/dev/null; then flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" "$@"
