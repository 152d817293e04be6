#!/usr/bin/env bash
# Fuzzes every reader with libFuzzer for a bounded time (CI runs this):
# ONNX and TFLite models through the runtime, the data readers (npy, npz,
# IDX), image decoding and the calibration stats loader.
#   scripts/fuzz.sh [seconds-per-target] [target...]
# Default 30 s per target (or $QFORGE_FUZZ_SECONDS), every target
# (tests/fuzz/CMakeLists.txt): with a warm ccache about 4 minutes in all.
# Builds all targets with clang, ASan and UBSan in the sanitizer tree (build-asan/, scripts/build.sh asan),
# runs each on a copy of its seed corpus (tests/fuzz/corpus/<target>), and
# fails on any crash, leak, timeout or out-of-memory, printing every
# reproducer's path and how to replay it (after running all targets).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz_common.sh

SECONDS_PER_TARGET="${1:-${QFORGE_FUZZ_SECONDS:-30}}"
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${FUZZ_TARGETS[@]}")

# test.sh builds the targets with the sanitizer tests and sets QFORGE_FUZZ_SKIP_BUILD=1.
[[ "${QFORGE_FUZZ_SKIP_BUILD:-0}" == 1 ]] || fuzz_build
failed=()
for t in "${targets[@]}"; do
  fuzz_run "$t" -max_total_time="$SECONDS_PER_TARGET" || failed+=("$t")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "== fuzz: FAILED: ${failed[*]} (reproducers above)" >&2
  exit 1
fi
echo "== fuzz: no crash, leak or timeout in ${targets[*]} ($(date -u +%T))"
