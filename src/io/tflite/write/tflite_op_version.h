// The version TensorFlow Lite assigns to an operator code, from the types
// and options of one use of the op (the facts of TFLite's op versioning), and
// the minimum TFLite runtime that runs a set of operator versions (the
// `min_runtime_version` metadata TFLite's converter writes).
// The facts, their sources and what qforge writes: docs/design/tflite_versions.md.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tflite_schema_generated.h"

namespace qforge::io {

// One tensor of an operator use, as versioning sees it.
struct TfliteTensorSig {
  tflite::TensorType type = tflite::TensorType_FLOAT32;
  bool present = true;  // false for an omitted optional input (-1)
  int rank = 0;
  bool is_const = false;
  bool per_channel = false;  // quantized with more than one scale
  // Added for versioning rules that need more than the type:
  std::vector<int32_t> shape;  // when known; broadcast checks compare shapes (rank = max(rank, size))
  float scale = 0.0f;          // first quantization scale, 0 when not quantized (MUL's rescale rule)
  bool quantized = false;      // has quantization parameters (int16 ADD/MUL/ABS)
};

// One operator use. Fields are add-only; unset fields keep their defaults.
struct TfliteOpSig {
  tflite::BuiltinOperator op = tflite::BuiltinOperator_ADD;
  std::vector<TfliteTensorSig> inputs;
  std::vector<TfliteTensorSig> outputs;
  int dilation_h = 1, dilation_w = 1;                      // CONV_2D, DEPTHWISE_CONV_2D
  bool keep_num_dims = false;                              // FULLY_CONNECTED
  bool asymmetric_quantize_inputs = false;                 // hybrid FULLY_CONNECTED / BATCH_MATMUL
  bool fused_activation = false;                           // any fused_activation_function != NONE
  bool align_corners = false, half_pixel_centers = false;  // RESIZE_*
  // Added (add-only):
  bool grouped = false;  // CONV_2D whose filter has fewer input channels than its input
  // CONV_2D / FULLY_CONNECTED / TRANSPOSE_CONV option; FLOAT32 (0) means unset, as in the schema.
  tflite::TensorType quantized_bias_type = tflite::TensorType_FLOAT32;
  bool pot_scale_int16 = true;               // ADD / SUB option (schema default true)
  int batch_dims = 0;                        // GATHER option
  int ellipsis_mask = 0, new_axis_mask = 0;  // STRIDED_SLICE options
  bool offset = false;                       // STRIDED_SLICE option
};

// The version TFLite's converter would write for this use. Inputs or outputs
// missing from `sig` are read as "absent" (no crash on a short signature).
int TfliteOpVersion(const TfliteOpSig& sig);

// The oldest TFLite runtime ("major.minor.patch") that has one (op, version);
// "" when TFLite's table has no entry for it.
std::string TfliteMinRuntimeVersionForOp(tflite::BuiltinOperator op, int version);

// "major.minor.patch" of the oldest TFLite runtime that has every (op, version):
// the maximum over the pairs found in TFLite's table (pairs not in it are
// skipped, as TFLite does). "" when none is found; TFLite then leaves the
// 16-byte metadata buffer zeroed.
std::string TfliteMinRuntimeVersion(const std::vector<std::pair<tflite::BuiltinOperator, int>>& ops);

// Numeric comparison of dotted versions ("1.14.0" < "2.3.0"; "" < anything).
bool TfliteRuntimeVersionLess(const std::string& a, const std::string& b);

}  // namespace qforge::io
