#!/usr/bin/env bash
# The whole test suite (README command 2; .ci/run calls this): installs what
# is missing, builds Release and ASan+UBSan, runs every ctest label in
# Release and the unit, ops, CLI (bad input) and conformance tests under the sanitizers, then the
# ONNX Runtime cross-checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export QFORGE_PROGRESS=0

bash scripts/install_deps.sh

echo "== clang-format check"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror
bash scripts/build.sh release
bash scripts/build.sh asan

echo "== Release: all tests"
ctest --test-dir build --output-on-failure -j2
# ctest hides the output of passing tests; show the conformance counts and
# the ONNX Runtime cross-check results.
echo "== Summary of the ONNX backend conformance run and the ONNX Runtime cross-checks"
grep -h -E "^onnx backend|^model .*(PASS|FAIL)|^(cnn|mobilenet|resnet) .*: float .* quantized" \
  build/Testing/Temporary/LastTest.log || true

echo "== ASan+UBSan: unit, ops, CLI bad-input and conformance tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -L 'unit|ops|cli|conformance'
