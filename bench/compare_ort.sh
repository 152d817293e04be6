#!/usr/bin/env bash
# The old name of bench/compare.sh (qforge vs ONNX Runtime and PyTorch, interleaved): same flags,
# same output. Kept so that existing commands and docs keep working.
exec "$(dirname "${BASH_SOURCE[0]}")/compare.sh" "$@"
