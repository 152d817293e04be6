// Verification of an untrusted .tflite file before any use, and the small
// lookups the importer shares with it.
//
// VerifyTflite runs the flatbuffers verifier (every offset, vector and
// string bound, nesting depth, table count), then the semantic rules of the
// TFLite format that the importer relies on (docs/design/tflite.md,
// "Import"): schema version 3, one used subgraph, buffer 0 empty, every
// tensor / buffer / opcode / operator / subgraph index in range, shapes
// non-negative with overflow-checked element counts, constant buffer sizes
// matching their tensor, external buffer data (Buffer.offset/size) inside the
// file, well-formed quantization parameters, single writer per tensor.
// Broken files give StatusCode::kInvalidModel, valid files using features
// qforge lacks (custom ops, sparsity, unknown builtins, control flow) give
// kUnsupported; messages read "<file>: <what> : <rule broken>".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "qforge/status.h"
#include "qforge/tensor.h"
#include "tflite_schema_generated.h"

namespace qforge::io {

// On success `*model` points into `bytes` (which must outlive it).
Status VerifyTflite(std::string_view bytes, const std::string& source, const tflite::Model** model);

// The operator's builtin code as TFLite reads it: the larger of
// deprecated_builtin_code (clamped to 127 by writers) and builtin_code.
int32_t BuiltinCodeOf(const tflite::OperatorCode& code);

// "CONV_2D", or "builtin 123" for a code the schema subset does not name.
std::string BuiltinName(int32_t code);

// The qforge dtype of a TFLite tensor type; kUndefined for types qforge does
// not model (STRING, COMPLEX64) or values outside the enum.
DataType DataTypeFromTflite(tflite::TensorType type);

// The bytes of buffer `index`: its inline data, or the external range
// [offset, offset + size) of `file` (already checked by VerifyTflite).
// Empty for an empty buffer.
std::string_view BufferBytes(const tflite::Model& model, std::string_view file, uint32_t index);

// "tensor 3 'conv/weights'".
std::string DescribeTensor(const tflite::SubGraph& sg, int32_t index);

}  // namespace qforge::io
