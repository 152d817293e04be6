#!/usr/bin/env bash
# The whole test suite (README command 2; .ci/run calls this): installs what
# is missing, builds Release and ASan+UBSan, runs every ctest label in
# Release and the unit, ops, CLI (bad input) and conformance tests under the sanitizers, then the
# ONNX Runtime and Arm NN cross-checks, then fuzzes every reader (20 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
export QFORGE_PROGRESS=0

bash scripts/install_deps.sh

echo "== clang-format check"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror
echo "== layers: no include goes up a layer, no oversized file"
python3 tools/check_layers.py
echo "== build Release ($(date -u +%T))"
bash scripts/build.sh release
echo "== build ASan+UBSan (clang), the targets it runs and the fuzzers ($(date -u +%T))"
bash scripts/build.sh asan --target qforge_cli qforge_unit_tests qforge_ops_tests qforge_cli_tests quantize_model \
  qforge_conformance_tests qforge_fuzz_all

echo "== Release: all tests ($(date -u +%T))"
# The Arm NN check's cost is its reference backend, per image: 100 test
# images (1,000 outputs per model and mode) keep its 99.9% rule meaningful
# and save CI two minutes over the script's default of 200.
ARMNN_IMAGES=100 ctest --test-dir build --output-on-failure -j2
# ctest hides the output of passing tests; show the conformance counts and
# the ONNX Runtime cross-check results.
echo "== Summary of the ONNX backend conformance run, the ONNX Runtime and Arm NN cross-checks, and accuracy"
grep -h -E "^onnx backend|^model .*(PASS|FAIL)|^(cnn|mobilenet|resnet) .*: (float .* quantized|QDQ .onnx)|^armnn |^Arm NN" \
  build/Testing/Temporary/LastTest.log || true

echo "== ASan+UBSan: unit, ops, CLI bad-input (with the hostile file suite, ctest hostile_files) and conformance tests ($(date -u +%T))"
# The accuracy comparison of the optimized and the reference runtime (400
# images through reference ResNet kernels) is an accuracy test: 100 s of
# sanitized reference arithmetic that the Release run already covers; its
# commands run here on the small CNN (EvalRunsThreadedAndOnTheReference).
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -L 'unit|ops|cli|conformance' \
  -E '^RuntimeFlagsCli.OptimizedAndReferenceAgreeOnAccuracy$'
echo "== fuzz every reader with libFuzzer, 20 s each ($(date -u +%T))"
QFORGE_FUZZ_SKIP_BUILD=1 bash scripts/fuzz.sh 20
echo "== done ($(date -u +%T))"
