#!/bin/bash
# Cross-checks qforge's .tflite files against Arm NN (issue 4):
#
#   tests/models/run_armnn_check.sh BUILD_DIR
#
# For models/cnn.onnx, models/mobilenet.onnx and models/resnet.onnx:
#   float              `qforge convert X.onnx -o X.tflite`
#   int8               `qforge quantize X.onnx -o X_int8.tflite --mode int8
#                      --calib models/calib/fashion_train100.npy`
#   int8 --per-tensor-fc  the same with per-tensor fully connected weights
#                      (convolutions stay per channel; TFLite's converter
#                      switch for runtimes without per-channel FC, Arm NN 20.08 among them)
#   int8-only          the same with --mode int8-only (int8 I/O; checked when qforge writes it)
# the first ARMNN_IMAGES (default 200) Fashion-MNIST test images (x/255, NHWC,
# quantized with the input's parameters for int8-only) run one by one through
# Arm NN 20.08's TfLite parser on its reference CPU backend
# (tools/armnn/run_tflite.py) and through `qforge run` on the same .tflite;
# tools/armnn/compare.py requires
#   float: |armnn - qforge| <= 1e-4 * max(1, |qforge|) on every element;
#   int8:  |armnn - qforge| <= 1 output step on >= 99.9% of the elements.
# One summary line per model/mode: "armnn cnn int8 --per-tensor-fc: 100.00% within 1 step, ...".
#
# Where Arm NN 20.08 lacks an operator (its parser refuses it, or a known gap
# that makes it abort or compute wrong: per-channel int8 FULLY_CONNECTED,
# quantized PAD not folded into a CONV_2D, see run_tflite.py), the line names
# it and the operator's index K, the file is cut before K
# (tools/armnn/cut_tflite.py) and operators 0..K-1 are compared on their
# output, an intermediate tensor, within 2 steps (no fully connected layer
# averages the per-op rounding differences there; see the comment below). The
# other models/modes are checked as usual and the list of gaps is repeated at
# the end. It is not a pass by silence: cnn float, cnn int8 (cut) and cnn int8
# --per-tensor-fc (whole) must be compared, or the check fails.
#
# qforge reference: ARMNN_QFORGE_REF=tflite runs `qforge run` on the .tflite
# (the issue's check); =onnx runs it on the ONNX model written with the same
# options (the same IR); =auto (default) tries the .tflite and falls back to
# the .onnx, saying so on the line. Cut files and int8-only always use the .tflite.
#
# Exit 0 iff every comparison passed; 77 when a prerequisite is missing
# (pyarmnn, the CpuRef backend package, flatc): ctest counts 77 as a failure.
set -u
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
QFORGE=${QFORGE:-"$BUILD_DIR/qforge"}
IMAGES=${ARMNN_IMAGES:-200}
REF_MODE=${ARMNN_QFORGE_REF:-auto}
CALIB="$ROOT/models/calib/fashion_train100.npy"
PY=/usr/bin/python3
RUN="$ROOT/tools/armnn/run_tflite.py"
CMP="$ROOT/tools/armnn/compare.py"
OUT="$BUILD_DIR/armnn_check"
mkdir -p "$OUT"

[ -x "$QFORGE" ] || { echo "FAIL: qforge binary not found at $QFORGE" >&2; exit 1; }
command -v flatc > /dev/null || { echo "MISSING: flatc (Debian flatbuffers-compiler)" >&2; exit 77; }
"$PY" -c "import pyarmnn" > /dev/null 2>&1 ||
  { echo "MISSING: pyarmnn (Debian python3-pyarmnn)" >&2; exit 77; }
dpkg -L libarmnn-cpuref-backend22 2> /dev/null | grep -q "Arm_CpuRef_backend.so$" ||
  { echo "MISSING: Arm_CpuRef_backend.so (Debian libarmnn-cpuref-backend22)" >&2; exit 77; }

failures=0
compared=""
lacking=""
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Inputs: NHWC for the .tflite files (TFLite's layout, what `qforge run` takes for them), NCHW for
# the ONNX reference. Same pixels: Fashion-MNIST has one channel.
"$PY" "$CMP" prep --images "$IMAGES" --out "$OUT/x.npy" --labels-out "$OUT/labels.npy" &&
  "$PY" "$CMP" prep --images "$IMAGES" --out "$OUT/x_nhwc.npy" --nhwc ||
  { echo "FAIL: cannot prepare $IMAGES Fashion-MNIST test images"; exit 1; }

# qforge_reference NAME TFLITE TFLITE_INPUT ALLOW_ONNX WRITE_ARGS... : writes $OUT/NAME.qforge.npy
# from `qforge run` on the .tflite or (ALLOW_ONNX=1, ARMNN_QFORGE_REF auto/onnx) on an .onnx written
# with WRITE_ARGS; sets REF_NOTE. Errors on stdout.
qforge_reference() {
  local name=$1 tflite=$2 input=$3 allow_onnx=$4
  shift 4
  local out="$OUT/$name.qforge.npy" err="$OUT/$name.qforge.err"
  REF_NOTE="qforge run on the same .tflite"
  if [ "$REF_MODE" != onnx ] || [ "$allow_onnx" != 1 ]; then
    "$QFORGE" run "$tflite" --input "$input" -o "$out" > /dev/null 2> "$err" && return 0
    if [ "$REF_MODE" = tflite ] || [ "$allow_onnx" != 1 ]; then
      echo "qforge run $(basename "$tflite"): $(head -1 "$err")"
      return 1
    fi
  fi
  local onnx="$OUT/$name.onnx"
  "$QFORGE" "$@" -o "$onnx" > /dev/null 2> "$err.onnx" ||
    { echo "qforge $*: $(head -1 "$err.onnx")"; return 1; }
  "$QFORGE" run "$onnx" --input "$OUT/x.npy" -o "$out" > /dev/null 2> "$err.onnx" ||
    { echo "qforge run $onnx: $(head -1 "$err.onnx")"; return 1; }
  REF_NOTE="qforge run on $name.onnx (same options; qforge could not run the .tflite: $(head -1 "$err"))"
  [ "$REF_MODE" = onnx ] && REF_NOTE="qforge run on $name.onnx (ARMNN_QFORGE_REF=onnx)"
  return 0
}

# run_armnn TFLITE INPUT OUT_NPY ERR: 0 ran, 3 Arm NN lacks an op (ERR names "op #K NAME"), else failed.
run_armnn() {
  "$PY" "$RUN" "$1" --input "$2" --out "$3" > /dev/null 2> "$4"
}

# check MODEL MODE [QUANTIZE_ARGS...]: write, run both, compare; one summary line. Where Arm NN
# lacks operator #K, the file is cut before K (tools/armnn/cut_tflite.py) and the part before it
# is compared (its output is an intermediate tensor; qforge runs the same cut .tflite).
check() {
  local model=$1 mode=$2
  shift 2
  local extra=("$@") suffix=""
  [ ${#extra[@]} -gt 0 ] && suffix="-$(echo "${extra[*]}" | tr -d ' -')"
  local name="${model}_${mode}${suffix}" tag="$model $mode${extra[*]:+ ${extra[*]}}"
  local tflite="$OUT/$name.tflite" input="$OUT/x_nhwc.npy" kind=quant write_args allow_onnx=1
  local src="$ROOT/models/$model.onnx"
  case "$mode" in
    float) write_args=(convert "$src"); kind=float ;;
    *) write_args=(quantize "$src" --mode "$mode" --calib "$CALIB" "${extra[@]}") ;;
  esac
  if ! "$QFORGE" "${write_args[@]}" -o "$tflite" > /dev/null 2> "$OUT/$name.write.err"; then
    if [ "$mode" = int8-only ]; then
      echo "armnn $tag: NOT CHECKED, qforge does not write it: $(head -1 "$OUT/$name.write.err")"
      return
    fi
    fail "armnn $tag: qforge ${write_args[*]} -o $name.tflite: $(head -1 "$OUT/$name.write.err")"
    return
  fi
  if [ "$mode" = int8-only ]; then
    input="$OUT/$name.x.npy"
    allow_onnx=0
    "$PY" "$CMP" prep --images "$IMAGES" --out "$input" --nhwc --quantize-for "$tflite" ||
      { fail "armnn $tag: cannot quantize the input for $name.tflite"; return; }
  fi
  local checked="$tflite" partial="" rc k op
  run_armnn "$checked" "$input" "$OUT/$name.armnn.npy" "$OUT/$name.armnn.err"
  rc=$?
  for _ in 1 2 3; do
    [ $rc -eq 3 ] || break
    k=$(sed -n 's/.*armnn-unsupported: op #\([0-9?]*\) .*/\1/p' "$OUT/$name.armnn.err" | head -1)
    op=$(sed -n 's/.*armnn-unsupported: op #[0-9?]* \([^:]*\):.*/\1/p' "$OUT/$name.armnn.err" | head -1)
    echo "armnn $tag: Arm NN 20.08 lacks ${op:-an operator} (op #${k:-?}): $(head -1 "$OUT/$name.armnn.err" |
      sed 's/.*armnn-unsupported: op #[0-9?]* [^:]*: //')"
    lacking="$lacking $tag: ${op:-?} (op #${k:-?});"
    if [ -z "$k" ] || [ "$k" = "?" ] || [ "$k" -eq 0 ]; then
      echo "armnn $tag: NOT COMPARED, no operator before it to check"
      return
    fi
    checked="$OUT/$name.cut$k.tflite"
    "$PY" "$ROOT/tools/armnn/cut_tflite.py" "$tflite" --before "$k" -o "$checked" 2> "$OUT/$name.cut.err" ||
      { fail "armnn $tag: cannot cut $name.tflite before op #$k: $(head -1 "$OUT/$name.cut.err")"; return; }
    partial=" (operators 0-$((k - 1)) only)"
    allow_onnx=0
    run_armnn "$checked" "$input" "$OUT/$name.armnn.npy" "$OUT/$name.armnn.err"
    rc=$?
  done
  if [ $rc -ne 0 ]; then
    fail "armnn $tag: Arm NN failed on $(basename "$checked"): $(head -1 "$OUT/$name.armnn.err")"
    return
  fi
  # Called without $( ) so that REF_NOTE reaches this shell.
  if ! qforge_reference "$name" "$checked" "$input" "$allow_onnx" "${write_args[@]}" \
      > "$OUT/$name.ref.msg"; then
    fail "armnn $tag$partial: no qforge reference: $(cat "$OUT/$name.ref.msg")"
    return
  fi
  local labels=(--labels "$OUT/labels.npy") steps=1
  # An intermediate tensor of a cut has no fully connected layer after it to average differences:
  # Arm NN's CpuRef requantizes through float, qforge (as TFLite) with fixed-point multipliers, each
  # op may round one step apart and a residual ADD sums two such tensors, so 2 steps are allowed there.
  [ -n "$partial" ] && { labels=(); steps=2; partial="$partial, 2-step rule"; }
  if "$PY" "$CMP" compare --name "$tag$partial" --armnn "$OUT/$name.armnn.npy" \
      --qforge "$OUT/$name.qforge.npy" --mode "$kind" --model "$checked" --steps "$steps" "${labels[@]}"; then
    compared="$compared ${model}_${mode}${suffix}"
  else
    failures=$((failures + 1))
  fi
  echo "    reference: $REF_NOTE"
}

for model in cnn mobilenet resnet; do
  check "$model" float
  check "$model" int8
  # Per-tensor FC weights: the whole int8 graph, FULLY_CONNECTED included, runs in Arm NN 20.08.
  check "$model" int8 --per-tensor-fc
  check "$model" int8-only
done

for required in cnn_float cnn_int8 cnn_int8-pertensorfc; do
  case " $compared " in
    *" $required "*) ;;
    *) fail "$required was not compared with Arm NN (its ops are all in Arm NN 20.08)" ;;
  esac
done
[ -n "$lacking" ] && echo "Arm NN 20.08 lacks:$lacking (the operators before each were compared)"
if [ "$failures" -ne 0 ]; then
  echo "Arm NN cross-check: $failures check(s) failed"
  exit 1
fi
echo "Arm NN cross-check: all compared files agree ($IMAGES images)"
