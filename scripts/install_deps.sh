#!/usr/bin/env bash
# Installs what qforge needs on a fresh Debian 12 machine. Idempotent: only
# missing Debian packages are installed, and npm packages only when absent.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake g++ make pkg-config git clang-format
  libprotobuf-dev protobuf-compiler libonnx-dev
  libcli11-dev nlohmann-json3-dev libzip-dev zlib1g-dev
  # image decoding
  libjpeg62-turbo-dev libpng-dev
  flatbuffers-compiler libflatbuffers-dev
  # optimized runtime: XNNPACK, its thread pool and CPU detection; oneDNN for the kernel comparison bench
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev libdnnl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tests write their images with stb_image_write (qforge itself uses no stb)
  libstb-dev
  # test oracles and example-model tooling
  libonnx-testdata python3-onnx python3-numpy python3-torch python3-torchvision
  # PIL: the image-resize oracle (tests/data/image_resize/make_fixtures.py)
  python3-pil
  dataset-fashion-mnist
  # TFLite oracle (Arm NN 20.08 TFLite parser + reference backend) and the reader fuzzer (libFuzzer)
  python3-pyarmnn libarmnn-cpuref-backend22 libarmnntfliteparser22 clang libclang-rt-14-dev
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install_deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime for cross-checks (prebuilt linux-x64 library inside the npm package).
if [ ! -d tools/ort/node_modules/onnxruntime-node ]; then
  echo "install_deps: npm install onnxruntime-node"
  (cd tools/ort && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi
# LiteRT 2.5.3, the TFLite runtime (WebAssembly + XNNPACK), for the .tflite
# cross-check (ctest litert_check); pinned by tools/litert/package-lock.json.
if [ ! -d tools/litert/node_modules/@litertjs/core ]; then
  echo "install_deps: npm ci @litertjs/core"
  (cd tools/litert && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "install_deps: ok"
