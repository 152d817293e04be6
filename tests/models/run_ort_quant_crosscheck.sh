#!/bin/bash
# Cross-checks qforge's int8 QDQ output against ONNX Runtime (issue 3):
#
#   tests/models/run_ort_quant_crosscheck.sh BUILD_DIR
#
# For each bundled Fashion-MNIST model, `qforge quantize --mode int8`
# (100 bundled calibration images) writes a QDQ ONNX file; then
#  - ONNX Runtime's optimized graph of that file must contain its integer
#    kernels (QLinearConv, and no float Conv left) when activations are
#    uint8, the form ONNX Runtime fuses completely on x86;
#  - tools/ort/compare_quant.js runs ONNX Runtime and `qforge run` on the
#    Fashion-MNIST test images and requires the quantized outputs to agree
#    within 1 step on >= MIN_FRACTION of the elements and top-1 to agree
#    within 0.1 point.
# Every comparison runs even if one fails; exit 0 iff all passed.
set -u
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ORT_DIR="$ROOT/tools/ort"
QFORGE=${QFORGE:-"$BUILD_DIR/qforge"}
IMAGES=${QUANT_CROSSCHECK_IMAGES:-10000}
OUT="$BUILD_DIR/quant_crosscheck"
mkdir -p "$OUT"
[ -x "$QFORGE" ] || { echo "FAIL: qforge binary not found at $QFORGE" >&2; exit 1; }
[ -d "$ORT_DIR/node_modules/onnxruntime-node" ] || { echo "FAIL: run scripts/install_deps.sh first" >&2; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for model in cnn mobilenet resnet; do
  for act in uint8 int8; do
    q="$OUT/${model}_int8_${act}.onnx"
    if ! "$QFORGE" quantize "$ROOT/models/$model.onnx" -o "$q" --mode int8 --activations "$act" \
        --calib "$ROOT/models/calib/fashion_train100.npy" > /dev/null; then
      fail "qforge quantize $model ($act activations)"
      continue
    fi
    ops=$(node "$ORT_DIR/ort_optimized_ops.js" "$q") || { fail "ONNX Runtime cannot load $q"; continue; }
    echo "$model ($act activations), ONNX Runtime runs: $(echo "$ops" | tr '\n' ' ')"
    if [ "$act" = uint8 ]; then
      echo "$ops" | grep -q "QLinearConv" || fail "$model: ONNX Runtime did not fuse QLinearConv"
      echo "$ops" | grep -Eq "(^|[^a-zA-Z])Conv([^a-zA-Z]|$)" && fail "$model: a float Conv is left in ONNX Runtime's graph"
    fi
    n=$IMAGES
    [ "$act" = int8 ] && n=$((IMAGES < 1000 ? IMAGES : 1000))
    node "$ORT_DIR/compare_quant.js" --qforge "$QFORGE" --model "$q" --reference "$ROOT/models/$model.onnx" \
      --images "$n" --min-fraction "${MIN_FRACTION:-0.999}" || fail "$model ($act activations) disagrees with ONNX Runtime"
  done
done
# An opset-10 model (Clip bounds, Softmax coercion and Squeeze/Unsqueeze axes
# as attributes) is written at opset 17 with those ops rewritten; ONNX's
# checker accepts it and ONNX Runtime computes what qforge computes.
old="$ROOT/tests/models/data/old_opset10.onnx"
q="$OUT/old_opset10_int8.onnx"
if "$QFORGE" quantize "$old" -o "$q" --mode int8 --activations uint8 \
    --calib "$ROOT/models/calib/fashion_train100.npy" > /dev/null; then
  /usr/bin/python3 -c "
import onnx, sys
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
v = [o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')][0]
assert v >= 13, v
print('old_opset10: written at opset', v)" "$q" || fail "old_opset10: written model is not valid ONNX at opset >= 13"
  node "$ORT_DIR/compare_quant.js" --qforge "$QFORGE" --model "$q" --reference "$old" \
    --images "$((IMAGES < 1000 ? IMAGES : 1000))" || fail "old_opset10 disagrees with ONNX Runtime"
else
  fail "qforge quantize $old"
fi

if [ "$failures" -ne 0 ]; then
  echo "ORT quantized cross-check: $failures check(s) failed"
  exit 1
fi
echo "ORT quantized cross-check: all checks passed"
