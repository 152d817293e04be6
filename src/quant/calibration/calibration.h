// Post-training calibration (QUANT_SPEC 4): run the float model over a
// representative data set, record statistics of every float32 activation,
// and turn them into per-tensor ranges with a selectable estimator.
//
// Statistics are keyed by value name (docs/design/quantized_ir.md, "Names":
// a quantized activation keeps its float name). They hold everything every
// estimator needs, so a stats file saved once can be re-estimated with any
// estimator and options without running the model again:
//   - element count, number of batches, global min and max;
//   - each batch's min and max (moving-average min/max is computed from
//     them, so any momentum can be chosen later; this is O(batches) floats
//     per tensor, a few KB for realistic calibration sets);
//   - a 2048-bin histogram on a canonical power-of-two grid (histogram.h)
//     that grows with the range, for percentile, entropy and MSE.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/data/dataset.h"
#include "ir/graph.h"
#include "qforge/status.h"
#include "quant/calibration/histogram.h"

namespace qforge::quant {

enum class RangeEstimator { kMinMax, kMovingAverageMinMax, kPercentile, kEntropy, kMse };

// Accepts "minmax", "moving-avg", "percentile", "entropy", "mse".
Result<RangeEstimator> ParseRangeEstimator(std::string_view name);
// The name ParseRangeEstimator accepts.
const char* RangeEstimatorName(RangeEstimator e);

struct EstimatorOptions {
  RangeEstimator estimator = RangeEstimator::kMinMax;
  // Percentile: the range is [quantile(100 - p), quantile(p)], p in [50, 100].
  double percentile = 99.99;
  // Moving average over batches, the TensorFlow / PyTorch convention:
  // ema = first batch's value, then ema += momentum * (batch - ema).
  // In (0, 1]; 1 = the last batch alone.
  double momentum = 0.01;
  // Quantization levels of the target type (256 for int8 / uint8): entropy
  // and MSE model the quantization of a candidate range with this many levels.
  int num_quant_levels = 256;
};

struct TensorRange {
  float min = 0.0f;
  float max = 0.0f;
  bool operator==(const TensorRange&) const = default;
};

// What calibration recorded about one activation.
struct TensorStats {
  int64_t elements = 0;  // values seen over all batches
  float min = 0.0f;
  float max = 0.0f;
  std::vector<float> batch_min;  // one per batch, in data order
  std::vector<float> batch_max;
  Histogram histogram;

  int64_t batches() const { return static_cast<int64_t>(batch_min.size()); }
  bool operator==(const TensorStats&) const = default;
};

class CalibrationStats {
 public:
  // Format name and version written to and required from stats files.
  static constexpr const char* kFormatName = "qforge-calibration-stats";
  static constexpr int kFormatVersion = 1;

  // Records one batch of tensor `name`; an empty batch is ignored. Values
  // must be finite: Calibrate reports a NaN/Inf with its node first, so one
  // reaching here is a bug (QF_CHECK).
  void Observe(const std::string& name, std::span<const float> values);

  const std::map<std::string, TensorStats>& tensors() const { return tensors_; }
  const TensorStats* Find(const std::string& name) const;

  // Data samples the statistics come from (Calibrate may use fewer than asked).
  int64_t samples() const { return samples_; }
  void set_samples(int64_t n) { samples_ = n; }

  // Writes JSON atomically (io/atomic_file.h).
  Status Save(const std::string& path) const;
  // Reads and validates a stats file: anything malformed, truncated, of
  // another format or version, non-finite or inconsistent is an
  // InvalidArgument naming the file (and the tensor) and what is wrong.
  static Result<CalibrationStats> Load(const std::string& path);

  bool operator==(const CalibrationStats&) const = default;

 private:
  std::map<std::string, TensorStats> tensors_;
  int64_t samples_ = 0;
};

struct CalibrateOptions {
  // Samples to use from the start of the data set; more than it holds = all of
  // it (CalibrationStats::samples() says how many were used). Must be > 0.
  int64_t count = 100;
  // Samples per inference. A model whose input has a fixed batch dimension
  // runs with that batch size instead (samples beyond the last whole batch
  // are then left out).
  int64_t batch = 16;
  std::function<void(int64_t done, int64_t total)> progress;
};

// The next batch: one tensor per graph input in graph-input order (batch
// dimension first where the input has one), or an empty vector at the end.
using BatchSource = std::function<Result<std::vector<Tensor>>()>;

// Streaming state: from the second batch on, graph input `input` takes the
// value graph output `output` had after the previous batch.
struct Feedback {
  std::string output;
  std::string input;
};

// Runs every batch of `next` through the float graph (memory bounded by the
// batch) and records every float32 activation: the graph inputs and each
// float32 output of every node, including the nodes the runtime folds once
// the input shapes are known (ConstantOfShape(Shape(x)): an activation of
// the graph, whose constants alone do not fix it). Samples are counted along
// dim 0 of the first graph input of rank >= 1 that is not fed back (one per
// batch when there is none). `feedback` names graph outputs and inputs of
// equal dtype (InvalidArgument otherwise).
// A NaN or Inf activation is an InvalidArgument naming the value, the node
// and the samples seen; an error of `next` is returned as it is.
Result<CalibrationStats> Calibrate(std::shared_ptr<const ir::Graph> float_graph, const BatchSource& next,
                                   const std::vector<Feedback>& feedback = {});

// The batches Calibrate(graph, data, options) runs for a graph of one input:
// the first options.count samples of `data` in batches of options.batch (or
// of the input's fixed batch size), reporting options.progress as each batch
// is done.
Result<BatchSource> DatasetBatches(const ir::Graph& float_graph, io::Dataset& data,
                                   const CalibrateOptions& options);

// What one graph input is fed: samples read along dim 0 in batches, or one
// value for every batch (a rank-0 input such as a sample rate, or the first
// value of a state input that is fed back).
struct InputFeed {
  io::Dataset* samples = nullptr;  // not owned; outlives the BatchSource
  Tensor constant;                 // when samples is null
};

// The batches for a graph of any number of inputs, one feed per input in
// graph-input order: the first options.count samples (the sampled inputs
// must hold equally many) in batches of options.batch, or of the first
// sampled input's fixed batch size.
Result<BatchSource> DatasetBatches(const ir::Graph& float_graph, std::vector<InputFeed> feeds,
                                   const CalibrateOptions& options);

// Calibrate over DatasetBatches.
Result<CalibrationStats> Calibrate(std::shared_ptr<const ir::Graph> float_graph, io::Dataset& data,
                                   const CalibrateOptions& options);

// One range per recorded tensor, with the chosen estimator:
//   minmax      global [min, max];
//   moving-avg  the moving averages of the batch min and max;
//   percentile  [quantile(100 - p), quantile(p)] from the histogram,
//               interpolated linearly inside a bin; a tensor with min >= 0
//               keeps its min (max <= 0: its max), the side 0 bounds;
//   entropy     TensorRT's KL-divergence threshold search;
//   mse         the threshold minimizing rounding noise inside plus clipping
//               error outside.
// Entropy and MSE choose one threshold t: a tensor with min >= 0 (e.g.
// after Relu) is one-sided and gets [min, t] with all levels on [0, t]; any
// other tensor is treated as TensorRT does, on the histogram of |x| with half
// the levels per side, and gets [-t, t] intersected with its [min, max].
// Every range is finite, contains 0 (QUANT_SPEC 1 extends it anyway) and has
// min <= max. Bad options are an InvalidArgument.
Result<std::map<std::string, TensorRange>> ComputeRanges(const CalibrationStats& stats,
                                                         const EstimatorOptions& options);

}  // namespace qforge::quant
