#!/usr/bin/env bash
# Regenerates the rows of docs/accuracy.md: quantizes each bundled model in
# each configuration with the 100 bundled calibration images and evaluates
# the written file on the 10,000 Fashion-MNIST test images with qforge.
# Usage: tools/accuracy_table.sh [QFORGE_BIN] [OUT_DIR]   (prints Markdown rows)
set -euo pipefail
cd "$(dirname "$0")/.."
QF="${1:-build/qforge}"
OUT="${2:-build/accuracy}"
DATA=/usr/share/datasets/fashion-mnist
CALIB=models/calib/fashion_train100.npy
EVAL=(--data "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz" --batch 100)
mkdir -p "$OUT"

top1() { "$QF" eval "$1" "${EVAL[@]}" | sed -n 's/^top-1: \([0-9.]*\)%.*/\1/p'; }

echo "| model | configuration | float top-1 | quantized top-1 | change (pt) | file bytes (float -> quantized) | command |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for model in cnn mobilenet resnet; do
  src="models/$model.onnx"
  ftop=$(top1 "$src")
  configs=("int8|--mode int8 --calib $CALIB"
           "int8, uint8 activations|--mode int8 --activations uint8 --calib $CALIB"
           "dynamic|--mode dynamic"
           "weight-only|--mode weight-only"
           "float16|--mode float16")
  if [ "$model" = mobilenet ]; then
    configs+=("int8, per-tensor weights|--mode int8 --per-tensor --calib $CALIB"
              "int8, estimator percentile|--mode int8 --estimator percentile --calib $CALIB"
              "int8, estimator entropy|--mode int8 --estimator entropy --calib $CALIB"
              "int8, estimator mse|--mode int8 --estimator mse --calib $CALIB"
              "int8, estimator moving-avg|--mode int8 --estimator moving-avg --calib $CALIB")
  fi
  i=0
  for entry in "${configs[@]}"; do
    name="${entry%%|*}"
    args="${entry#*|}"
    out="$OUT/${model}_$i.onnx"
    i=$((i + 1))
    # shellcheck disable=SC2086
    "$QF" quantize "$src" -o "$out" $args >/dev/null
    qtop=$(top1 "$out")
    delta=$(/usr/bin/python3 -c "print('%+.2f' % ($qtop - $ftop))")
    echo "| $model | $name | $ftop% | $qtop% | $delta | $(stat -c %s "$src") -> $(stat -c %s "$out") | \`qforge quantize $src -o out.onnx $args\` |"
  done
done
