// The version TensorFlow Lite assigns to an operator code, from the types
// and options of one use of the op (the facts of TFLite's op versioning), and
// the minimum TFLite runtime that runs a set of operator versions (the
// `min_runtime_version` metadata TFLite's converter writes).
#pragma once

#include <string>
#include <vector>

#include "tflite_schema_generated.h"

namespace qforge::io {

// One tensor of an operator use, as versioning sees it.
struct TfliteTensorSig {
  tflite::TensorType type = tflite::TensorType_FLOAT32;
  bool present = true;          // false for an omitted optional input (-1)
  int rank = 0;
  bool is_const = false;
  bool per_channel = false;     // quantized with more than one scale
};

// One operator use. Fields are add-only; unset fields keep their defaults.
struct TfliteOpSig {
  tflite::BuiltinOperator op = tflite::BuiltinOperator_ADD;
  std::vector<TfliteTensorSig> inputs;
  std::vector<TfliteTensorSig> outputs;
  int dilation_h = 1, dilation_w = 1;              // CONV_2D, DEPTHWISE_CONV_2D
  bool keep_num_dims = false;                      // FULLY_CONNECTED
  bool asymmetric_quantize_inputs = false;         // hybrid FULLY_CONNECTED / BATCH_MATMUL
  bool fused_activation = false;                   // any fused_activation_function != NONE
  bool align_corners = false, half_pixel_centers = false;  // RESIZE_*
};

// The version TFLite's converter would write for this use.
int TfliteOpVersion(const TfliteOpSig& sig);

// "major.minor.patch" of the oldest TFLite runtime that has every (op, version).
std::string TfliteMinRuntimeVersion(const std::vector<std::pair<tflite::BuiltinOperator, int>>& ops);

}  // namespace qforge::io
