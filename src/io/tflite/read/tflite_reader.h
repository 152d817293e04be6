// TensorFlow Lite flatbuffer (.tflite, schema 3, "TFL3") -> IR.
//
// The file is untrusted: the flatbuffers verifier checks every offset and
// vector bound, then a semantic check rejects bad tensor, buffer and opcode
// indices, negative or overflowing shapes, buffers whose size does not match
// their tensor, and malformed quantization parameters, before anything is
// built. Errors name the file, operator index, op and tensor.
//
// TFLite tensors are NHWC; the IR's spatial ops are NCHW (ONNX form). The
// reader keeps every tensor in TFLite's layout and puts each layout-bound op
// (convolutions, pools, resize) between Transposes, which the transpose
// sinking pass then cancels (docs/design/tflite.md). Quantized graphs use
// TFLite's arithmetic: `Graph::requantization = kFixedPoint`.
//
// Names: IR values keep the TFLite tensor names (made unique when a file
// repeats one); graph inputs and outputs are subgraph 0's, named by their
// tensors, not by signature_def aliases (the writer derives those again).
// Only subgraph 0 is read; control flow, custom ops, sparse tensors and
// builtins qforge lacks are StatusCode::kUnsupported, broken files
// kInvalidModel (tflite_verify.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::io {

// Maps the file (io/mapped_file.h) and verifies it as ReadTfliteFromBytes
// does; constants whose data is aligned for their element type are then
// views into the mapping (the graph keeps it alive), so a model's weights are
// used in place, not copied. Constants the importer permutes (conv weights
// OHWI -> the IR's OIHW, unless 1x1) and misaligned ones are copies.
Result<std::unique_ptr<ir::Graph>> ReadTflite(const std::string& path);
// Copies every constant out of `bytes`, which need not outlive the graph.
// `source` names the model in errors.
Result<std::unique_ptr<ir::Graph>> ReadTfliteFromBytes(std::string_view bytes, const std::string& source);

// True when `head` (the first bytes of a file, at least 8) carries the TFLite
// file identifier "TFL3".
bool HasTfliteIdentifier(std::string_view head);

}  // namespace qforge::io
