#!/bin/bash
# Cross-checks `qforge run` against ONNX Runtime on the example models.
#
#   tests/models/run_ort_crosscheck.sh BUILD_DIR
#
# Uses BUILD_DIR/qforge (override with QFORGE=path). Installs tools/ort's
# node_modules if missing, generates the torchvision and residual_concat
# models into BUILD_DIR/models (kept between runs), then runs
# tools/ort/compare.js on each model. Every comparison runs even if an
# earlier one fails; the exit code is 0 iff all passed. Exit code 77 means
# the prerequisites (node, npm, /usr/bin/python3 with torch) are missing,
# which ctest reports as skipped when SKIP_RETURN_CODE is 77.
#
# Tolerances (compare.js: element passes iff |a-b| <= atol + rtol*|b|):
#   rtol 1e-4 as the issue requires, atol 1e-5. The random-init torchvision
#   models get BatchNorm statistics from random batches at export, so their
#   logits are O(0.1..1) rather than tiny; ONNX Runtime itself is within
#   ~2e-6 absolute of a float64 PyTorch run there, so atol 1e-5 is not
#   below float32 noise and relative error stays meaningful.
set -u

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ORT_DIR="$ROOT/tools/ort"
QFORGE=${QFORGE:-"$BUILD_DIR/qforge"}
PYTHON=/usr/bin/python3
RTOL=${CROSSCHECK_RTOL:-1e-4}
ATOL=${CROSSCHECK_ATOL:-1e-5}
GEN_DIR="$BUILD_DIR/models"

for tool in node npm "$PYTHON"; do
  if ! command -v "$tool" > /dev/null; then
    echo "SKIP: $tool not found" >&2
    exit 77
  fi
done
if [ ! -x "$QFORGE" ]; then
  echo "FAIL: qforge binary not found at $QFORGE" >&2
  exit 1
fi

if [ ! -d "$ORT_DIR/node_modules/onnxruntime-node" ]; then
  echo "installing onnxruntime-node into $ORT_DIR/node_modules"
  if ! (cd "$ORT_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error > /dev/null); then
    echo "SKIP: npm install failed (no network?)" >&2
    exit 77
  fi
fi

mkdir -p "$GEN_DIR"
# shufflenet_v2 is exported at opset 11 so the old-opset import path is
# crossed with run-time shapes; the others at opset 13.
for arch in mobilenet_v2 resnet18 shufflenet_v2 residual_concat; do
  opset=13
  [ "$arch" = shufflenet_v2 ] && opset=11
  if [ ! -s "$GEN_DIR/$arch.onnx" ]; then
    echo "generating $GEN_DIR/$arch.onnx"
    if ! "$PYTHON" "$ROOT/tools/export_torchvision.py" --arch "$arch" --opset "$opset" --out "$GEN_DIR/$arch.onnx"; then
      rm -f "$GEN_DIR/$arch.onnx"
      echo "FAIL: could not generate $arch" >&2
      exit 1
    fi
  fi
done

failures=0
compare() {  # compare MODEL BATCH
  if ! node "$ORT_DIR/compare.js" --qforge "$QFORGE" --model "$1" --batch "$2" --rtol "$RTOL" --atol "$ATOL"; then
    failures=$((failures + 1))
  fi
}

compare "$ROOT/models/cnn.onnx" 1
compare "$ROOT/models/cnn.onnx" 4
compare "$ROOT/models/mobilenet.onnx" 1
compare "$ROOT/models/resnet.onnx" 1
compare "$GEN_DIR/mobilenet_v2.onnx" 1
compare "$GEN_DIR/resnet18.onnx" 1
compare "$GEN_DIR/shufflenet_v2.onnx" 2
compare "$GEN_DIR/residual_concat.onnx" 1
compare "$GEN_DIR/residual_concat.onnx" 3

# Recurrent layers (PyTorch exports of tests/data/recurrent/make_models.py,
# dynamic batch and sequence: compare.js sets both to the batch) at 1e-5
# relative, the float bound of docs/models.md "Recurrent layers".
for model in "$ROOT"/tests/data/recurrent/*.onnx; do
  for batch in 1 3; do
    if ! node "$ORT_DIR/compare.js" --qforge "$QFORGE" --model "$model" --batch "$batch" --rtol 1e-5 --atol 1e-6; then
      failures=$((failures + 1))
    fi
  done
done

# qforge's own ONNX export (`qforge convert`, opset 17) must load in ONNX
# Runtime and give the same outputs there as in qforge.
for src in "$ROOT/models/cnn.onnx" "$GEN_DIR/mobilenet_v2.onnx" "$GEN_DIR/resnet18.onnx" \
           "$GEN_DIR/shufflenet_v2.onnx" "$GEN_DIR/residual_concat.onnx"; do
  out="$GEN_DIR/exported_$(basename "$src")"
  if ! "$QFORGE" convert "$src" -o "$out" > /dev/null; then
    echo "FAIL: qforge convert $src" >&2
    failures=$((failures + 1))
    continue
  fi
  compare "$out" 2
done

# qforge's TFLite export (`qforge convert M.onnx -o M.tflite`, issue 4), run
# by qforge's runtime, must give ONNX Runtime's outputs on the ONNX model:
# the NCHW -> NHWC conversion (weights, Flatten -> FC, Concat axes) is right.
# Inputs go to the .tflite transposed to NHWC. residual_concat is left out:
# its reshape is computed from Shape at run time, which the writer refuses
# (docs/tflite.md, "Not supported").
for src in "$ROOT/models/cnn.onnx" "$ROOT/models/mobilenet.onnx" "$ROOT/models/resnet.onnx" \
           "$GEN_DIR/mobilenet_v2.onnx" "$GEN_DIR/resnet18.onnx" \
           "$ROOT"/tests/models/data/tflite/*.onnx; do
  [ -f "$src" ] || continue
  out="$GEN_DIR/converted_$(basename "$src" .onnx).tflite"
  if ! "$QFORGE" convert "$src" -o "$out" > /dev/null; then
    echo "FAIL: qforge convert $src -o $out" >&2
    failures=$((failures + 1))
    continue
  fi
  if ! node "$ORT_DIR/compare.js" --qforge "$QFORGE" --model "$src" --qforge-model "$out" --nhwc --batch 1 \
       --rtol "$RTOL" --atol "$ATOL"; then
    failures=$((failures + 1))
  fi
done

if [ "$failures" -ne 0 ]; then
  echo "ORT cross-check: $failures comparison(s) failed"
  exit 1
fi
echo "ORT cross-check: all comparisons passed"
