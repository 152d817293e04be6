#!/usr/bin/env bash
# Latency of qforge vs ONNX Runtime on the same model files, interleaved.
#
#   bench/compare_ort.sh [--threads N] [--rounds K] [--runs R] [--ort-runs R2] [--fashion-runs R3]
#                        [--models "mobilenet_v2 resnet18 cnn mobilenet resnet"] [--qforge PATH]
#                        [--out-dir DIR] [--regen]
#
# Models: torchvision mobilenet_v2 and resnet18 at 1x3x224x224 (random
# weights, tools/export_torchvision.py) and the Fashion-MNIST models
# models/{cnn,mobilenet,resnet}.onnx. Each in three files, generated into
# DIR (default build/bench-models/) when missing (or always with --regen):
#   float   the float ONNX model
#   int8    `qforge quantize --mode int8` (QDQ, int8 activations, the TFLite scheme)
#   uint8   the same with --activations uint8
# Calibration data: the Fashion models use models/calib/fashion_train100.npy;
# the 224x224 models a small random set (4 samples, standard normal, numpy
# seed 0) in DIR/calib_random_4x3x224x224.npy. Random calibration gives
# meaningless accuracy but the same graph and kernels, which is all a
# latency measurement needs.
#
# Each round runs, for every model and file, one `qforge bench` process and
# then the ONNX Runtime process(es) (tools/ort/bench_ort.js), all at batch 1
# with the same thread count: qforge, ort, qforge, ort, ... The int8 file is
# timed in ORT twice: with session.qdqisint8allowed=1 (ORT then fuses every
# int8 group into QLinear* kernels, as compare_quant.js checks accuracy) and
# with ORT's default config (row "int8 (ORT default)": ORT converts int8 Q/DQ
# to uint8 where it can and leaves the rest in float). The table shows, per
# row, the median over the K rounds of each process's median latency, and the
# ratio qforge/ORT (below 1: qforge is faster). Raw bench_result lines are
# kept in DIR/results-<time>.txt. Exit code 0; 1 if any benchmark process
# failed (its table cell says "error"); 2 on usage errors.
#
# Defaults: --threads 1, --rounds 3, --runs 3 (qforge on the 224x224 models:
# the reference runtime takes seconds per inference there), --ort-runs 20,
# --fashion-runs 30 (both runtimes on the Fashion models). Needs a built
# qforge (--qforge, else $QFORGE, else build/qforge), /usr/bin/python3 with
# torch, torchvision, onnx and numpy, and node with tools/ort/node_modules.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS=1
ROUNDS=3
RUNS=3
ORT_RUNS=20
FASHION_RUNS=30
MODELS="mobilenet_v2 resnet18 cnn mobilenet resnet"
QFORGE="${QFORGE:-$ROOT/build/qforge}"
OUT_DIR="$ROOT/build/bench-models"
REGEN=0
CALIB_224_COUNT=4

usage() {
  [[ $# -gt 0 ]] && echo "compare_ort.sh: $*" >&2
  sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

positive() {  # FLAG VALUE
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage "$1 needs a positive integer, got '$2'"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) positive "$1" "${2:-}"; THREADS="$2"; shift 2 ;;
    --rounds) positive "$1" "${2:-}"; ROUNDS="$2"; shift 2 ;;
    --runs) positive "$1" "${2:-}"; RUNS="$2"; shift 2 ;;
    --ort-runs) positive "$1" "${2:-}"; ORT_RUNS="$2"; shift 2 ;;
    --fashion-runs) positive "$1" "${2:-}"; FASHION_RUNS="$2"; shift 2 ;;
    --models) [[ -n "${2:-}" ]] || usage "--models needs a list"; MODELS="$2"; shift 2 ;;
    --qforge) [[ -n "${2:-}" ]] || usage "--qforge needs a path"; QFORGE="$2"; shift 2 ;;
    --out-dir) [[ -n "${2:-}" ]] || usage "--out-dir needs a directory"; OUT_DIR="$2"; shift 2 ;;
    --regen) REGEN=1; shift ;;
    -h|--help) usage ;;
    *) usage "unknown argument '$1'" ;;
  esac
done

for m in $MODELS; do
  case "$m" in
    mobilenet_v2|resnet18|cnn|mobilenet|resnet) ;;
    *) usage "unknown model '$m' (known: mobilenet_v2 resnet18 cnn mobilenet resnet)" ;;
  esac
done
[[ -x "$QFORGE" ]] || usage "no qforge binary at $QFORGE (build the qforge_cli target or pass --qforge)"
command -v node >/dev/null || usage "node is not installed"
BENCH_ORT="$ROOT/tools/ort/bench_ort.js"
mkdir -p "$OUT_DIR"

is_224() { [[ "$1" == mobilenet_v2 || "$1" == resnet18 ]]; }

float_file() {
  if is_224 "$1"; then echo "$OUT_DIR/$1.onnx"; else echo "$ROOT/models/$1.onnx"; fi
}

# The table's name for a model: the input size for torchvision's, "fashion-" for the bundled ones.
label() {
  if is_224 "$1"; then echo "$1-224"; else echo "fashion-$1"; fi
}

quant_file() {  # MODEL VARIANT
  if is_224 "$1"; then echo "$OUT_DIR/$1_$2.onnx"; else echo "$OUT_DIR/fashion_$1_$2.onnx"; fi
}

# --- generate the model files -------------------------------------------------
CALIB_224="$OUT_DIR/calib_random_${CALIB_224_COUNT}x3x224x224.npy"
for m in $MODELS; do
  f="$(float_file "$m")"
  if is_224 "$m" && { [[ $REGEN == 1 ]] || [[ ! -f "$f" ]]; }; then
    echo "generating $f" >&2
    /usr/bin/python3 "$ROOT/tools/export_torchvision.py" --arch "$m" --out "$f" >&2
  fi
  if is_224 "$m"; then
    calib="$CALIB_224"
    if [[ ! -f "$calib" ]]; then
      echo "generating $calib (random calibration data)" >&2
      /usr/bin/python3 -c "import numpy as np, sys
x = np.random.default_rng(0).standard_normal((int(sys.argv[2]), 3, 224, 224))
np.save(sys.argv[1], x.astype(np.float32))" "$calib" "$CALIB_224_COUNT"
    fi
  else
    calib="$ROOT/models/calib/fashion_train100.npy"
  fi
  for act in int8 uint8; do
    q="$(quant_file "$m" "$act")"
    if [[ $REGEN == 1 || ! -f "$q" ]]; then
      echo "quantizing $f -> $q (--activations $act)" >&2
      "$QFORGE" quantize "$f" -o "$q" --mode int8 --activations "$act" --calib "$calib" >/dev/null
    fi
  done
done

# --- measure, interleaved -----------------------------------------------------
RESULTS="$OUT_DIR/results-$(date -u +%Y%m%dT%H%M%SZ).txt"
: >"$RESULTS"

# Appends "ROW RUNTIME ROUND <bench_result fields>" to $RESULTS, or
# "... error" when the process failed (its stderr goes to the terminal).
record() {  # ROW RUNTIME ROUND CMD...
  local row="$1" runtime="$2" round="$3"
  shift 3
  local line
  if line="$("$@" | grep '^bench_result ' | tail -n 1)" && [[ -n "$line" ]]; then
    echo "$row $runtime $round ${line#bench_result }" >>"$RESULTS"
  else
    echo "$row $runtime $round error" >>"$RESULTS"
    echo "compare_ort.sh: failed: $*" >&2
  fi
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)" \
  "(family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p')), $(nproc) cores," \
  "avx512_vnni: $(grep -q -m1 avx512_vnni /proc/cpuinfo && echo yes || echo no)"
echo "threads: $THREADS, rounds: $ROUNDS, runs: qforge $RUNS on 224x224 / $FASHION_RUNS on Fashion," \
  "ORT $ORT_RUNS on 224x224 / $FASHION_RUNS on Fashion (batch 1)"
echo "qforge: $QFORGE"
for ((round = 1; round <= ROUNDS; ++round)); do
  echo "round $round/$ROUNDS ..." >&2
  for m in $MODELS; do
    if is_224 "$m"; then
      qruns=$RUNS qwarm=1 oruns=$ORT_RUNS
    else
      qruns=$FASHION_RUNS qwarm=3 oruns=$FASHION_RUNS
    fi
    for variant in float int8 uint8; do
      if [[ $variant == float ]]; then f="$(float_file "$m")"; else f="$(quant_file "$m" "$variant")"; fi
      record "$(label "$m")/$variant" qforge "$round" \
        "$QFORGE" bench "$f" --threads "$THREADS" --runs "$qruns" --warmup "$qwarm" --batch 0
      record "$(label "$m")/$variant" ort "$round" \
        node "$BENCH_ORT" "$f" --threads "$THREADS" --runs "$oruns" --warmup 3 --batch 0
      if [[ $variant == int8 ]]; then
        record "$(label "$m")/int8 (ORT default)" ort "$round" \
          node "$BENCH_ORT" "$f" --threads "$THREADS" --runs "$oruns" --warmup 3 --batch 0 --no-qdq-int8
      fi
    done
  done
done

# --- table --------------------------------------------------------------------
/usr/bin/python3 - "$RESULTS" <<'EOF'
import statistics, sys

rows, values = [], {}
for line in open(sys.argv[1]):
    parts = line.split()
    # "model/variant" may be followed by "(ORT default)": the runtime is the first of qforge/ort.
    i = next(k for k, p in enumerate(parts) if p in ("qforge", "ort"))
    row, runtime = " ".join(parts[:i]), parts[i]
    if row not in rows:
        rows.append(row)
    fields = dict(p.split("=", 1) for p in parts[i + 2:] if "=" in p)
    if "median_ms" in fields:
        values.setdefault((row, runtime), []).append(float(fields["median_ms"]))

qforge_of = {}
def fmt(v):
    return "error" if v is None else f"{v:.3f}"

print("| model | variant | qforge median ms | ORT median ms | qforge/ORT |")
print("| --- | --- | --- | --- | --- |")
for row in rows:
    model, variant = row.split("/", 1)
    q = values.get((row, "qforge"))
    if q is None and variant.startswith("int8 ("):
        q = values.get((model + "/int8", "qforge"))  # same file, timed once per round
    o = values.get((row, "ort"))
    qm = statistics.median(q) if q else None
    om = statistics.median(o) if o else None
    ratio = f"{qm / om:.2f}" if qm and om else "n/a"
    print(f"| {model} | {variant} | {fmt(qm)} | {fmt(om)} | {ratio} |")
EOF
echo "raw results: $RESULTS"
# Exit 1 when any benchmark process failed (its row shows "error").
if grep -q ' error$' "$RESULTS"; then exit 1; fi
