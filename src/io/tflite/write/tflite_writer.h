// IR -> TensorFlow Lite flatbuffer (.tflite, schema 3, "TFL3"), meaning what
// TensorFlow Lite's own converter would write for the same quantization
// decisions (docs/design/tflite.md):
// - layout: NCHW activations are stored NHWC, conv weights OHWI, depthwise
//   weights 1HWC, axes remapped, a Flatten before a fully connected layer
//   folded into a permutation of its weights; a TRANSPOSE only where no
//   rewrite avoids it;
// - every IR quantization form: float32, float16 (fp16 buffers + DEQUANTIZE),
//   weight-only (int8 buffers + DEQUANTIZE), dynamic range (hybrid CONV_2D /
//   FULLY_CONNECTED), int8 with float islands, integer-only int8/uint8 I/O;
// - operator codes with the version TFLite assigns to each op's variant,
//   16-byte aligned deduplicated buffers, a signature def, description and
//   metadata (producer, version, min_runtime_version).
#pragma once

#include <cstdint>
#include <string>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::io {

// A flatbuffer cannot address more than 2 GiB; larger models are refused.
inline constexpr uint64_t kTfliteMaxBytes = (uint64_t{1} << 31) - 1;

Result<std::string> SerializeTflite(const ir::Graph& graph);
// The same with another size limit (tests exercise the refusal with a small one).
Result<std::string> SerializeTflite(const ir::Graph& graph, uint64_t max_bytes);
// Atomic write (see io/atomic_file.h).
Status WriteTflite(const ir::Graph& graph, const std::string& path);

}  // namespace qforge::io
