#!/usr/bin/env bash
# Latency of qforge vs its peers (ONNX Runtime, PyTorch 1.13) on the same models, interleaved.
#
#   bench/compare.sh [--threads N[,N...]] [--rounds K] [--runs R] [--peer-runs R2] [--fashion-runs R3]
#                    [--models "mobilenet_v2 resnet18 cnn mobilenet resnet"] [--no-torch] [--qforge PATH]
#                    [--out-dir DIR] [--regen]
#   bench/compare.sh --table RESULTS.txt...    (only print the tables of earlier runs, combined)
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
# latency measurement needs. PyTorch runs the same torchvision networks (same
# seeded weights and BatchNorm statistics) through tools/torch/bench_torch.py:
# float TorchScript (+ optimize_for_inference), and int8 FX post-training quantization on the oneDNN
# engine; its scripted models are cached in DIR/torch_*.pt.
#
# Each round runs, for every model, file and thread count, one process per
# runtime in turn, all at batch 1: qforge, ORT, PyTorch, then the next
# thread count, then the next file. ORT (tools/ort/bench_ort.js) gets the
# float and the uint8-activation file with its default session config, and
# the int8-activation file twice: with session.qdqisint8allowed=1 (ORT then
# fuses every int8 group into QLinear* kernels) and with the default config
# (ORT converts int8 Q/DQ to uint8 where it can and leaves the rest in float).
# PyTorch (224x224 models only) runs float with the float file's turn and
# int8 with the int8 file's turn. Interleaving puts all runtimes under the
# same machine load.
#
# Tables: latency per model and thread count (median over the K rounds of
# each process's median), the issue-5 target ratios, and with several thread
# counts the qforge speedup over 1 thread. Raw bench_result lines and the
# machine load (uptime) before and after are kept in DIR/results-<time>.txt;
# --table prints the tables of one or more such files (e.g. a 1-thread and a
# 2-thread run). Exit code 0; 1 if any benchmark process failed (its cell
# says "error"); 2 on usage errors.
#
# Defaults: --threads 1, --rounds 3, --runs 3 (qforge on the 224x224 models,
# 1 warm-up below 10 runs, else 3), --peer-runs 20 (ORT and PyTorch on the
# 224x224 models, 3 warm-ups; --ort-runs is the old name), --fashion-runs 30
# (qforge and ORT on the Fashion models). Needs a built qforge (--qforge,
# else $QFORGE, else build/qforge), /usr/bin/python3 with torch,
# torchvision, onnx and numpy, and node with tools/ort/node_modules.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREAD_LIST=1
ROUNDS=3
RUNS=3
PEER_RUNS=20
FASHION_RUNS=30
MODELS="mobilenet_v2 resnet18 cnn mobilenet resnet"
TORCH=1
QFORGE="${QFORGE:-$ROOT/build/qforge}"
OUT_DIR="$ROOT/build/bench-models"
REGEN=0
CALIB_224_COUNT=4
PYTHON=/usr/bin/python3
BENCH_ORT="$ROOT/tools/ort/bench_ort.js"
BENCH_TORCH="$ROOT/tools/torch/bench_torch.py"

usage() {
  [[ $# -gt 0 ]] && echo "compare.sh: $*" >&2
  sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

positive() {  # FLAG VALUE
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage "$1 needs a positive integer, got '$2'"
}

# --- tables (also the whole job of --table) -----------------------------------
print_tables() {  # RESULTS...
  "$PYTHON" - "$@" <<'EOF'
import statistics, sys

# Results lines: "LABEL THREADS COLUMN ROUND key=value..." or "... error"; "#" lines are notes.
COLUMNS = [
    ("qforge-float", "qforge float"), ("qforge-int8", "qforge int8"), ("qforge-uint8", "qforge uint8"),
    ("ort-float", "ORT float"), ("ort-uint8", "ORT uint8-act QDQ"),
    ("ort-int8-qdq", "ORT int8-act QDQ (qdqisint8allowed)"),
    ("ort-int8-default", "ORT int8-act QDQ (default)"),
    ("torch-float", "PyTorch float"), ("torch-int8", "PyTorch int8 (oneDNN)"),
]
PEER_INT8 = ["ort-uint8", "ort-int8-qdq", "ort-int8-default", "torch-int8"]
NAMES = dict(COLUMNS)

rows, values, errors, notes = [], {}, {}, []
for path in sys.argv[1:]:
    for line in open(path):
        if line.startswith("#"):
            notes.append(f"{path}: {line[1:].strip()}")
            continue
        parts = line.split()
        if len(parts) < 5 or not parts[1].isdigit():
            print(f"{path}: skipped (not a compare.sh results line): {line.strip()[:60]}", file=sys.stderr)
            continue
        label, threads, column = parts[0], int(parts[1]), parts[2]
        if (label, threads) not in rows:
            rows.append((label, threads))
        if parts[4] == "error":
            errors[(label, threads, column)] = errors.get((label, threads, column), 0) + 1
            continue
        fields = dict(p.split("=", 1) for p in parts[4:] if "=" in p)
        if "median_ms" in fields:
            values.setdefault((label, threads, column), []).append(float(fields["median_ms"]))

model_order = []
for label, _ in rows:
    if label not in model_order:
        model_order.append(label)
rows.sort(key=lambda r: (model_order.index(r[0]), r[1]))

def med(label, threads, column):
    v = values.get((label, threads, column))
    return statistics.median(v) if v else None

def cell(label, threads, column):
    m, e = med(label, threads, column), errors.get((label, threads, column), 0)
    if m is None:
        return "error" if e else "-"
    return f"{m:.3f}" + (f" ({e} failed)" if e else "")

def ratio(num, den, target=None, at_most=True):
    if num is None or den is None:
        return "n/a"
    r = num / den
    if target is None:
        return f"{r:.2f}"
    met = r <= target if at_most else r >= target
    return f"{r:.2f} {'met' if met else 'NOT met'}"

print("Median latency over rounds, ms (batch 1; '-' not measured):\n")
print("| model | threads | " + " | ".join(name for _, name in COLUMNS) + " |")
print("|" + " --- |" * (len(COLUMNS) + 2))
for label, threads in rows:
    print(f"| {label} | {threads} | " + " | ".join(cell(label, threads, c) for c, _ in COLUMNS) + " |")

target_rows = [r for r in rows if r[0].endswith("-224")]
if target_rows:
    print("\nIssue-5 targets (best peer int8: the fastest of the ORT int8 columns and PyTorch int8):\n")
    print("| model | threads | best peer int8 ms | qforge int8 / best (<= 0.7) "
          "| qforge uint8 / best (<= 0.7) "
          "| ORT float / qforge int8 (>= 3, ResNet-18) | qforge float / ORT float (<= 1.1) |")
    print("|" + " --- |" * 7)
    for label, threads in target_rows:
        peers = [(med(label, threads, c), c) for c in PEER_INT8 if med(label, threads, c) is not None]
        best, who = min(peers) if peers else (None, None)
        best_text = f"{best:.3f} ({NAMES[who]})" if best is not None else "n/a"
        q = {v: med(label, threads, "qforge-" + v) for v in ("float", "int8", "uint8")}
        ort_float = med(label, threads, "ort-float")
        speedup_target = 3.0 if label.startswith("resnet18") else None
        print(f"| {label} | {threads} | {best_text} "
              f"| {ratio(q['int8'], best, 0.7)} | {ratio(q['uint8'], best, 0.7)} "
              f"| {ratio(ort_float, q['int8'], speedup_target, at_most=False)} "
              f"| {ratio(q['float'], ort_float, 1.1)} |")

scaling = [(label, t) for label, t in target_rows if t > 1 and (label, 1) in rows]
if scaling:
    print("\nqforge multi-thread speedup: 1-thread median latency / N-thread median latency at batch 1 "
          "(= throughput ratio; target >= 1.8 at 2 threads on ResNet-18):\n")
    print("| model | threads | float | int8 | uint8 |")
    print("| --- | --- | --- | --- | --- |")
    for label, threads in scaling:
        target = 1.8 if label.startswith("resnet18") and threads == 2 else None
        cells = [ratio(med(label, 1, "qforge-" + v), med(label, threads, "qforge-" + v), target,
                       at_most=False) for v in ("float", "int8", "uint8")]
        print(f"| {label} | 1 -> {threads} | " + " | ".join(cells) + " |")

if notes:
    print()
    for n in notes:
        print(n)
EOF
}

if [[ "${1:-}" == --table ]]; then
  shift
  [[ $# -gt 0 ]] || usage "--table needs at least one results file"
  for f in "$@"; do [[ -f "$f" ]] || usage "no results file '$f'"; done
  print_tables "$@"
  exit 0
fi

while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads)
      [[ "${2:-}" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || usage "--threads needs N or N,N,..., got '${2:-}'"
      THREAD_LIST="$2"; shift 2 ;;
    --rounds) positive "$1" "${2:-}"; ROUNDS="$2"; shift 2 ;;
    --runs) positive "$1" "${2:-}"; RUNS="$2"; shift 2 ;;
    --peer-runs|--ort-runs) positive "$1" "${2:-}"; PEER_RUNS="$2"; shift 2 ;;
    --fashion-runs) positive "$1" "${2:-}"; FASHION_RUNS="$2"; shift 2 ;;
    --models) [[ -n "${2:-}" ]] || usage "--models needs a list"; MODELS="$2"; shift 2 ;;
    --no-torch) TORCH=0; shift ;;
    --qforge) [[ -n "${2:-}" ]] || usage "--qforge needs a path"; QFORGE="$2"; shift 2 ;;
    --out-dir) [[ -n "${2:-}" ]] || usage "--out-dir needs a directory"; OUT_DIR="$2"; shift 2 ;;
    --regen) REGEN=1; shift ;;
    --table) usage "--table must be the first argument" ;;
    -h|--help) usage ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
IFS=, read -r -a THREADS <<<"$THREAD_LIST"

for m in $MODELS; do
  case "$m" in
    mobilenet_v2|resnet18|cnn|mobilenet|resnet) ;;
    *) usage "unknown model '$m' (known: mobilenet_v2 resnet18 cnn mobilenet resnet)" ;;
  esac
done
[[ -x "$QFORGE" ]] || usage "no qforge binary at $QFORGE (build the qforge_cli target or pass --qforge)"
command -v node >/dev/null || usage "node is not installed"
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
    "$PYTHON" "$ROOT/tools/export_torchvision.py" --arch "$m" --out "$f" >&2
  fi
  if is_224 "$m"; then
    calib="$CALIB_224"
    if [[ ! -f "$calib" ]]; then
      echo "generating $calib (random calibration data)" >&2
      "$PYTHON" -c "import numpy as np, sys
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
  # PyTorch: build (or reuse) the scripted models now, so that no timed round pays for it.
  if is_224 "$m" && [[ $TORCH == 1 ]]; then
    for mode in float int8; do
      [[ $REGEN == 1 ]] && rm -f "$OUT_DIR/torch_${m}_${mode}_"*.pt
      "$PYTHON" "$BENCH_TORCH" --arch "$m" --mode "$mode" --cache-dir "$OUT_DIR" --threads 1 --runs 1 \
        --warmup 0 --batch 0 | grep '^model:' >&2
    done
  fi
done

# --- measure, interleaved -----------------------------------------------------
RESULTS="$OUT_DIR/results-$(date -u +%Y%m%dT%H%M%SZ).txt"
: >"$RESULTS"
ANY_ERROR=0

# Appends "LABEL THREADS COLUMN ROUND <bench_result fields>" to $RESULTS, or
# "... error" when the process failed (its stderr goes to the terminal).
record() {  # LABEL THREADS COLUMN ROUND CMD...
  local prefix="$1 $2 $3 $4"
  shift 4
  local line
  if line="$("$@" | grep '^bench_result ' | tail -n 1)" && [[ -n "$line" ]]; then
    echo "$prefix ${line#bench_result }" >>"$RESULTS"
  else
    echo "$prefix error" >>"$RESULTS"
    ANY_ERROR=1
    echo "compare.sh: failed: $*" >&2
  fi
}

note() {  # TEXT: to the terminal and, as a "#" line, to the results file
  echo "$*"
  echo "# $*" >>"$RESULTS"
}

note "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)" \
  "(family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p'))," \
  "$(nproc) cores," \
  "avx512_vnni: $(grep -q -m1 avx512_vnni /proc/cpuinfo && echo yes || echo no)"
note "threads: ${THREADS[*]}, rounds: $ROUNDS, runs: qforge $RUNS on 224x224 / $FASHION_RUNS on Fashion," \
  "ORT and PyTorch $PEER_RUNS on 224x224 / ORT $FASHION_RUNS on Fashion (batch 1)"
note "qforge: $QFORGE"
note "load before: $(uptime)"
START=$SECONDS
for ((round = 1; round <= ROUNDS; ++round)); do
  echo "round $round/$ROUNDS ..." >&2
  for m in $MODELS; do
    if is_224 "$m"; then
      qruns=$RUNS oruns=$PEER_RUNS qwarm=3
      ((RUNS < 10)) && qwarm=1  # the reference runtime takes seconds per inference
    else
      qruns=$FASHION_RUNS oruns=$FASHION_RUNS qwarm=3
    fi
    l="$(label "$m")"
    for variant in float int8 uint8; do
      if [[ $variant == float ]]; then f="$(float_file "$m")"; else f="$(quant_file "$m" "$variant")"; fi
      for t in "${THREADS[@]}"; do
        record "$l" "$t" "qforge-$variant" "$round" \
          "$QFORGE" bench "$f" --threads "$t" --runs "$qruns" --warmup "$qwarm" --batch 0
        ort=(node "$BENCH_ORT" "$f" --threads "$t" --runs "$oruns" --warmup 3 --batch 0)
        if [[ $variant == int8 ]]; then
          record "$l" "$t" ort-int8-qdq "$round" "${ort[@]}"
          record "$l" "$t" ort-int8-default "$round" "${ort[@]}" --no-qdq-int8
        else
          record "$l" "$t" "ort-$variant" "$round" "${ort[@]}" --no-qdq-int8
        fi
        if is_224 "$m" && [[ $TORCH == 1 && $variant != uint8 ]]; then
          record "$l" "$t" "torch-$variant" "$round" \
            "$PYTHON" "$BENCH_TORCH" --arch "$m" --mode "$variant" --cache-dir "$OUT_DIR" --threads "$t" \
            --runs "$oruns" --warmup 3 --batch 0
        fi
      done
    done
  done
done
note "load after: $(uptime)"
note "measuring took $((SECONDS - START)) s"

echo
print_tables "$RESULTS"
echo "raw results: $RESULTS"
exit $ANY_ERROR
