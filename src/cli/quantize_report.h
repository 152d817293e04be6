// What `qforge quantize` prints: the quantization table, and with --eval the
// float and quantized models side by side (top-1, size, latency).
#pragma once

#include <string>

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

// Evaluates both model files on the labelled data and prints top-1, file
// size and single-sample latency of each; returns the CLI exit code.
int CompareAccuracy(const std::string& float_path, const std::string& quant_path, QuantizeMode mode,
                    const EvalRequest& req);

}  // namespace qforge::cli
