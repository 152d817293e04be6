#!/usr/bin/env bash
# Builds qforge. Usage: scripts/build.sh [release|asan] [cmake --build args...]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
shift || true
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # -O1 without debug info: the sanitizers' checks are the same, the build is
  # much faster (CI builds twice on 2 cores); stack traces still name functions.
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DQFORGE_SANITIZE=ON -DQFORGE_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
# ccache, when installed, speeds up rebuilds in several build trees; optional.
if command -v ccache >/dev/null; then flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" "$@"
