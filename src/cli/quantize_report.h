// What `qforge quantize` prints: the quantization table, and with --eval the
// float and quantized models side by side (top-1, size, latency).
#pragma once

#include <string>

#include "eval/classification.h"
#include "io/data/dataset.h"
#include "qforge/model.h"
#include "qforge/quantize.h"

namespace qforge::cli {

// The quantization table: the API's report, and the sizes of both files.
void PrintQuantizeReport(const std::string& model_path, const std::string& output_path,
                         const QuantizeReport& report);

struct EvalRequest {
  io::DataSpec data;
  std::string labels;
  int64_t limit = -1;
};

// The labelled data of --eval, opened for a model input, with its labels;
// errors (no labels, too few labels, data that does not fit the input) come
// before anything is written.
struct EvalData {
  std::unique_ptr<io::Dataset> data;
  std::vector<int64_t> labels;
  int64_t count = 0;  // samples to evaluate
};
Result<EvalData> OpenEvalData(const EvalRequest& req, const IoInfo& input);

// The size of a file, 0 when it cannot be read.
uint64_t FileSize(const std::string& path);

// Top-1, file size and single-sample latency of one model on --eval data.
struct ModelResult {
  eval::TopKCounts counts;
  double latency_ms = 0.0;  // median single-sample latency
  uint64_t file_bytes = 0;
};

// Evaluates a model (`name` labels its progress bar and errors; `file_bytes`
// is its size as written) on the labelled data.
Result<ModelResult> MeasureModel(const Model& model, const std::string& name, uint64_t file_bytes,
                                 const EvalRequest& req, const char* label);

// Prints the float and quantized results side by side.
void PrintAccuracyComparison(const ModelResult& f, const ModelResult& q, QuantizeMode mode);

}  // namespace qforge::cli
