# Shared by scripts/fuzz.sh (CI, bounded time) and scripts/fuzz_soak.sh
# (bounded executions); sourced, not run. Knows the fuzz targets, their seed
# corpora, how to build them all in one build dir and how to run one.

# target name (binary qforge_<name>_fuzz) -> seed corpus under tests/fuzz/corpus/
declare -A FUZZ_CORPUS=([onnx_reader]=onnx [tflite_reader]=tflite [data_reader]=data
                        [image_decode]=image [calib_stats]=calib_stats)
FUZZ_TARGETS=(onnx_reader tflite_reader data_reader image_decode calib_stats)
FUZZ_BUILD_DIR=build-asan  # scripts/build.sh asan

# Builds every target in the sanitizer tree the tests use (scripts/build.sh
# asan: clang, ASan+UBSan, libFuzzer coverage, -O1). Prints the time.
fuzz_build() {
  local tool
  for tool in clang clang++; do
    command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (scripts/install_deps.sh installs clang-14)" >&2; exit 1; }
  done
  echo "== fuzz: build qforge_fuzz_all in $FUZZ_BUILD_DIR ($(date -u +%T))"
  local start=$SECONDS
  QFORGE_JOBS="${QFORGE_JOBS:-2}" bash scripts/build.sh asan --target qforge_fuzz_all
  echo "== fuzz: built in $((SECONDS - start)) s"
}

# fuzz_run <target> <libFuzzer limit flag...>: runs the target on a COPY of
# its committed seed corpus (which stays untouched) in
# $FUZZ_BUILD_DIR/fuzz-run/<target>/, then prints the tail of its log, its
# executions (also in $FUZZ_EXECS) and every reproducer. Returns 1 on a
# crash, leak, timeout or out-of-memory. With FUZZ_RESUME=1 it goes on from
# the corpus and reproducers of the target's previous run instead.
fuzz_run() {
  local target=$1; shift
  local seeds="tests/fuzz/corpus/${FUZZ_CORPUS[$target]}" work="$FUZZ_BUILD_DIR/fuzz-run/$target"
  local bin="$FUZZ_BUILD_DIR/tests/fuzz/qforge_${target}_fuzz" status=0
  if [[ "${FUZZ_RESUME:-0}" != 1 ]]; then
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp "$seeds"/* "$work/corpus/"
  fi
  echo "== fuzz: $target: $* on a copy of $seeds ($(ls "$seeds" | wc -l) seeds) ($(date -u +%T))"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" "$work/corpus" "$@" -rss_limit_mb=2048 -timeout="${QFORGE_FUZZ_TIMEOUT:-10}" -max_len=65536 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/fuzz.log" 2>&1 || status=$?
  tail -n 12 "$work/fuzz.log"
  FUZZ_EXECS=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/fuzz.log" | grep -o '[0-9]*$' | tail -n 1 || true)
  FUZZ_EXECS=${FUZZ_EXECS:-0}  # the stats print twice when a sanitizer fires at exit
  echo "== fuzz: $target: $FUZZ_EXECS executions"
  local artifacts a
  artifacts=$(find "$work/artifacts" -type f | sort)
  if [[ $status -ne 0 || ( "${FUZZ_RESUME:-0}" != 1 && -n "$artifacts" ) ]]; then
    echo "== fuzz: $target: FAILED (exit $status); full log: $work/fuzz.log" >&2
    for a in $artifacts; do
      echo "reproducer: $a" >&2
      echo "  replay: $bin $a" >&2
    done
    return 1
  fi
}
