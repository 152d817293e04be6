#!/usr/bin/env bash
# The files qforge writes for the bundled models, in every mode and format,
# must stay byte-identical across refactors (issue 11): this writes them all
# and compares their SHA-256 with tests/models/data/written_files.sha256.
#   tests/models/written_files_golden.sh BUILD_DIR          check
#   tests/models/written_files_golden.sh BUILD_DIR --update rewrite the list
# A change to that list is a behaviour change and must be explained in the
# commit that makes it.
set -euo pipefail
build="$(cd "$1" && pwd)"
src="$(cd "$(dirname "$0")/../.." && pwd)"
qf="$build/qforge"
golden="$src/tests/models/data/written_files.sha256"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
calib="$src/models/calib/fashion_train100.npy"

write() {  # write NAME qforge-args...: NAME is the output file, relative to $out
  local name="$1"; shift
  "$qf" "$@" -o "$out/$name" >/dev/null 2>"$out/err" || {
    echo "FAIL: qforge $* -o $name: $(cat "$out/err")" >&2; exit 1; }
}

for m in cnn mobilenet resnet; do
  model="$src/models/$m.onnx"
  for ext in onnx tflite; do
    write "$m.convert.$ext" convert "$model"
    for mode in weight-only dynamic float16; do
      write "$m.$mode.$ext" quantize "$model" --mode "$mode"
    done
    write "$m.int8.$ext" quantize "$model" --mode int8 --calib "$calib"
    # uint8 activations with int8 weights exist only in QDQ ONNX (TFLite refuses them).
    [ "$ext" = onnx ] && write "$m.int8-uint8act.$ext" quantize "$model" --mode int8 --calib "$calib" --activations uint8
    write "$m.int8-pertensor.$ext" quantize "$model" --mode int8 --calib "$calib" --per-tensor
    write "$m.int8-pertensorfc.$ext" quantize "$model" --mode int8 --calib "$calib" --per-tensor-fc
    write "$m.int8only.$ext" quantize "$model" --mode int8-only --calib "$calib"
    write "$m.int8only-uint8io.$ext" quantize "$model" --mode int8-only --calib "$calib" --io uint8
  done
  # Estimators, calibration statistics, and the written .tflite read back.
  for est in moving-avg percentile entropy mse; do
    write "$m.int8-$est.onnx" quantize "$model" --mode int8 --calib "$calib" --calib-count 32 --estimator "$est"
  done
  "$qf" quantize "$model" --mode int8 --calib "$calib" --calib-count 32 \
    --save-calib-stats "$out/$m.stats.json" -o "$out/$m.stats-run.onnx" >/dev/null
  write "$m.int8-fromstats.tflite" quantize "$model" --mode int8 --load-calib-stats "$out/$m.stats.json"
  write "$m.int8.tflite.onnx" convert "$out/$m.int8.tflite"
  write "$m.convert.tflite.onnx" convert "$out/$m.convert.tflite"
  write "$m.int8.tflite.tflite" quantize "$out/$m.convert.tflite" --mode int8 --calib "$calib"
done
# Small graphs that exercise the TFLite writer's layout and op mapping.
for f in "$src"/tests/models/data/tflite/*.onnx; do
  b="$(basename "$f" .onnx)"
  write "small.$b.tflite" convert "$f"
  write "small.$b.tflite.onnx" convert "$out/small.$b.tflite"
done
write "old_opset10.onnx" convert "$src/tests/models/data/old_opset10.onnx"
write "torch_qdq_small.onnx" convert "$src/tests/models/data/torch_qdq_small.onnx"

(cd "$out" && find . -type f ! -name err | LC_ALL=C sort | xargs sha256sum) > "$out/list"
if [ "${2:-}" = "--update" ]; then
  cp "$out/list" "$golden"
  echo "written_files_golden: wrote $(wc -l < "$golden") hashes to $golden"
  exit 0
fi
if diff -u "$golden" "$out/list" > "$out/diff"; then
  echo "written_files_golden: $(wc -l < "$golden") files byte-identical"
else
  echo "written_files_golden: files differ from $golden:" >&2
  cat "$out/diff" >&2
  exit 1
fi
