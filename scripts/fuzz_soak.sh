#!/usr/bin/env bash
# Long fuzzing runs (by hand, not CI): each target for a number of
# executions, one target at a time, then a table of executions and findings.
#   scripts/fuzz_soak.sh [runs] [target...]
# Default 1,000,000 executions per target (or $QFORGE_FUZZ_RUNS), every target.
# Same build dir and options as scripts/fuzz.sh. A finding stops libFuzzer;
# the target then resumes from its corpus for the executions left, up to
# $QFORGE_FUZZ_MAX_FINDINGS (default 5) findings per target. Minimize one with
#   build-asan/tests/fuzz/qforge_<target>_fuzz -minimize_crash=1 -runs=10000 <file>
# and commit it under tests/fuzz/findings/<target>/ (not the seed corpus: CI
# would fail until the bug is fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz_common.sh

RUNS="${1:-${QFORGE_FUZZ_RUNS:-1000000}}"
# Soaks run for hours beside other work: a per-input timeout of 30 s (CI: 10)
# still catches a hang without flagging an input the scheduler starved.
export QFORGE_FUZZ_TIMEOUT="${QFORGE_FUZZ_TIMEOUT:-30}"
MAX_FINDINGS="${QFORGE_FUZZ_MAX_FINDINGS:-5}"
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${FUZZ_TARGETS[@]}")

[[ "${QFORGE_FUZZ_SKIP_BUILD:-0}" == 1 ]] || fuzz_build
summary=()
for t in "${targets[@]}"; do
  start=$SECONDS
  execs=0
  findings=0
  FUZZ_RESUME=0
  while ((execs < RUNS && findings < MAX_FINDINGS)); do
    if fuzz_run "$t" -runs=$((RUNS - execs)); then
      execs=$((execs + FUZZ_EXECS))
      break
    fi
    execs=$((execs + FUZZ_EXECS))
    findings=$((findings + 1))
    FUZZ_RESUME=1
  done
  artifacts=$(find "$FUZZ_BUILD_DIR/fuzz-run/$t/artifacts" -type f | sort | tr '\n' ' ')
  summary+=("$(printf '%-14s %9d execs %6d s  %d findings %s' "$t" "$execs" $((SECONDS - start)) "$findings" "$artifacts")")
done
echo "== fuzz soak: $RUNS runs per target"
printf '%s\n' "${summary[@]}"
! printf '%s\n' "${summary[@]}" | grep -qv ' 0 findings'
