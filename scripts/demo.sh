#!/usr/bin/env bash
# The main job on the bundled example (README command 1): install, build,
# then evaluate the bundled Fashion-MNIST CNN with qforge's runtime and
# compare with the accuracy PyTorch recorded when it trained the model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh release --target qforge_cli

QF=build/qforge
MODEL=models/cnn.onnx
DATA=/usr/share/datasets/fashion-mnist
echo
echo "== qforge inspect $MODEL"
$QF inspect "$MODEL"
echo
echo "== qforge eval $MODEL on the 10,000 Fashion-MNIST test images (float32)"
$QF eval "$MODEL" --data "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz" --batch 100
echo
echo "PyTorch's top-1 when the model was trained (models/cnn.json):"
/usr/bin/python3 -c "import json; d=json.load(open('models/cnn.json')); print('  top-1: %.2f%%' % (100*d['float_top1'] if d['float_top1'] <= 1 else d['float_top1']))"
echo "model size: $(stat -c %s "$MODEL") bytes"
