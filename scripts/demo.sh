#!/usr/bin/env bash
# The main job on the bundled example (README command 1): install, build,
# quantize the bundled Fashion-MNIST CNN to int8 with the bundled
# calibration samples (100 training images), and print float vs int8
# top-1 on the 10,000 test images, file size and latency; then write the
# same int8 model as a TensorFlow Lite file and evaluate that too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh release --target qforge_cli

QF=build/qforge
MODEL=models/cnn.onnx
CALIB=models/calib/fashion_train100.npy
DATA=/usr/share/datasets/fashion-mnist
OUT=build/demo
mkdir -p "$OUT"
echo
echo "== qforge inspect $MODEL"
$QF inspect "$MODEL"
echo
echo "== qforge quantize $MODEL --mode int8 (calibrated on $CALIB), evaluated on the 10,000 test images"
$QF quantize "$MODEL" -o "$OUT/cnn_int8.onnx" --mode int8 --calib "$CALIB" \
  --eval "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz"
echo
echo "PyTorch's float top-1 when the model was trained (models/cnn.json):"
/usr/bin/python3 -c "import json; d=json.load(open('models/cnn.json')); print('  top-1: %.2f%%' % (100*d['float_top1']))"
echo "The int8 model is a QDQ ONNX file ONNX Runtime runs: $OUT/cnn_int8.onnx"
echo
echo "== qforge quantize $MODEL --mode int8 -o cnn_int8.tflite (TensorFlow Lite), evaluated on the same images"
$QF quantize "$MODEL" -o "$OUT/cnn_int8.tflite" --mode int8 --calib "$CALIB" \
  --eval "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz" | tail -n 4
echo "The int8 TFLite file (NHWC, TFLite's int8 scheme and operator versions): $OUT/cnn_int8.tflite"
echo
echo "== speed: float vs int8, 1 thread, batch 1 (qforge bench; 28x28 input, so absolute times are tiny)"
for m in "$MODEL" "$OUT/cnn_int8.onnx" "$OUT/cnn_int8.tflite"; do
  $QF bench "$m" --threads 1 --runs 200 --warmup 20 --batch 0 | grep -E '^latency' | sed "s|^|  $(basename "$m"): |"
done
echo "  (the 224x224 torchvision models and ONNX Runtime / PyTorch peers: bench/compare.sh, docs/performance.md)"
