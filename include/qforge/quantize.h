// Post-training quantization of a float model (docs/quantization.md): the
// API `qforge quantize` and the Python binding are built on.
//
//   qforge::QuantizeOptions opt;
//   opt.mode = qforge::QuantizeMode::kInt8;
//   opt.calibration.batches = [&]() -> qforge::Result<std::vector<qforge::Tensor>> {
//     if (next == end) return std::vector<qforge::Tensor>{};  // the end
//     return std::vector<qforge::Tensor>{*next++};            // one tensor per model input
//   };
//   qforge::Result<qforge::QuantizeResult> r = qforge::Quantize(model, opt);
//   if (r.ok()) r->model.Save("model_int8.onnx");
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "qforge/model.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge {

// The modes of QUANT_SPEC section 4.
enum class QuantizeMode {
  kWeightOnly,  // int8 weights dequantized at load; float compute
  kDynamic,     // int8 weights, activations quantized per inference (hybrid kernels)
  kFloat16,     // float16 weights
  kInt8,        // int8 weights and activations, float model I/O (calibrated)
  kInt8Only,    // int8 everywhere, integer model I/O (calibrated); an op without integer form is an error
};
// Accepts "weight-only", "dynamic", "float16", "int8", "int8-only".
Result<QuantizeMode> ParseQuantizeMode(std::string_view name);
const char* QuantizeModeName(QuantizeMode mode);

// How calibration statistics become one range per activation.
enum class RangeEstimator {
  kMinMax,         // the global min and max seen
  kMovingAverage,  // moving average of each batch's min and max (`momentum`)
  kPercentile,     // [quantile(100 - p), quantile(p)] (`percentile`)
  kEntropy,        // TensorRT's KL-divergence threshold
  kMse,            // the threshold minimizing rounding plus clipping error
};
// Accepts "minmax", "moving-avg", "percentile", "entropy", "mse".
Result<RangeEstimator> ParseRangeEstimator(std::string_view name);
const char* RangeEstimatorName(RangeEstimator estimator);

enum class WeightGranularity {
  kPerChannel,   // one scale per output channel (the default)
  kPerTensor,    // one scale per weight tensor
  kPerTensorFc,  // per channel, but one scale for fully connected layers (Gemm, MatMul):
                 // what NNAPI, Arm NN and TFLite runtimes before 2024 need
};

// The next batch of calibration inputs: one tensor per model input, in the
// model's input order, batch dimension first (where the input has one); an
// empty vector at the end. An error stops quantization and is returned by
// Quantize.
using CalibrationBatches = std::function<Result<std::vector<Tensor>>()>;

// Streaming calibration of a stateful model (VAD state, RNN hidden state):
// from the second batch on, model input `input` is fed the value model
// output `output` had after the previous batch, instead of the batch's own.
struct StateFeedback {
  std::string output;
  std::string input;
};

struct CalibrationOptions {
  // The samples (int8 modes), streamed: only one batch is held at a time.
  CalibrationBatches batches;
  std::vector<StateFeedback> feedback;
  // Names the samples in errors and in the report (a file path, say).
  std::string source_name;
  // A statistics file to quantize from instead of running `batches`, and a
  // file to save the statistics to (both optional; docs/quantization.md).
  std::string load_statistics;
  std::string save_statistics;
  RangeEstimator estimator = RangeEstimator::kMinMax;
  double percentile = 99.99;  // kPercentile, in [50, 100]
  double momentum = 0.01;     // kMovingAverage, in (0, 1]
};

struct QuantizeOptions {
  QuantizeMode mode = QuantizeMode::kInt8;
  WeightGranularity weights = WeightGranularity::kPerChannel;
  DataType activation_type = DataType::kInt8;  // int8 modes: int8 or uint8
  DataType io_type = DataType::kInt8;          // int8-only: type of model inputs and outputs
  // Node names of the float model to keep in float; a name fused away by
  // the float clean-up (a Relu into its Conv) excludes the fusing node.
  std::vector<std::string> exclude;
  CalibrationOptions calibration;
};

// What happened to one node.
struct NodeReport {
  std::string name;
  std::string op;
  bool quantized = false;
  std::string reason;  // why it stays float (empty when quantized)
};

struct QuantizeReport {
  QuantizeMode mode = QuantizeMode::kInt8;
  WeightGranularity weights = WeightGranularity::kPerChannel;
  DataType activation_type = DataType::kInt8;
  DataType io_type = DataType::kInt8;
  // Calibration (int8 modes): where the statistics came from (source_name
  // or the statistics file), samples they cover, the estimator.
  std::string calibration_source;
  int64_t calibration_samples = 0;
  RangeEstimator estimator = RangeEstimator::kMinMax;
  // The float clean-up every mode starts from.
  int batchnorms_folded = 0;
  int activations_fused = 0;
  int identities_removed = 0;
  // Nodes quantized (by op name), and nodes left in float. `nodes` lists,
  // in graph order, every node quantized and every node left in float for a
  // reason: in the int8 modes, the float islands between DequantizeLinear
  // and QuantizeLinear. Weight modes count nodes without float weights in
  // nodes_float without listing them.
  int64_t nodes_quantized = 0;
  int64_t nodes_float = 0;
  std::map<std::string, int64_t> quantized_by_op;
  std::vector<NodeReport> nodes;
  // Bytes of the model's constants before and after.
  size_t weight_bytes_before = 0;
  size_t weight_bytes_after = 0;
  // Things the user should know (an excluded name mapped to its fused node).
  std::vector<std::string> notes;
};

struct QuantizeResult {
  Model model;
  QuantizeReport report;
};

// Quantizes a copy of `model` (unchanged). Errors: InvalidArgument for bad
// options (a mode's missing calibration, unknown exclusions, types other
// than int8/uint8, estimator parameters out of range), data whose batches
// do not fit the model or contain NaN/Inf, statistics of another model;
// Unsupported for int8-only when a node cannot be integer (the message lists
// every one) and for calibrating a model with more than one input.
Result<QuantizeResult> Quantize(const Model& model, const QuantizeOptions& options);

// What Quantize would refuse before calibrating, without reading any data:
// bad options, unknown exclusions and, for int8-only, every node that cannot
// be integer (Unsupported, one line per node with its reason: the rule
// Quantize applies, which runs this check itself before calibrating too).
// Callers that open calibration data run it first.
Status CheckBeforeCalibration(const Model& model, const QuantizeOptions& options);

}  // namespace qforge
