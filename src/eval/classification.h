// Top-k accuracy of a classifier over a data set, shared by `qforge eval`
// and the float-vs-quantized comparisons.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "qforge/runtime.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::eval {

struct TopKCounts {
  int64_t total = 0;
  int64_t top1 = 0;
  int64_t top5 = 0;
  double top1_percent() const {
    return total ? 100.0 * static_cast<double>(top1) / static_cast<double>(total) : 0;
  }
  double top5_percent() const {
    return total ? 100.0 * static_cast<double>(top5) / static_cast<double>(total) : 0;
  }
};

// Adds one batch: `scores` is [batch, classes] (any trailing dims of size 1
// are ignored), float32; ties rank the lower class index first.
Status AccumulateTopK(const Tensor& scores, std::span<const int64_t> labels, TopKCounts* counts);

// The one rule for labels: exactly one per sample of the whole data set
// (whatever --limit evaluates), so that a label file for other data is never
// silently paired with this one. Otherwise an InvalidArgument naming both.
Status CheckLabelCount(size_t labels, int64_t samples, const std::string& labels_source,
                       const std::string& data_source);

struct EvalOptions {
  int64_t batch = 32;
  int64_t limit = -1;  // evaluate at most this many samples (-1: all)
  std::function<void(int64_t done, int64_t total)> progress;
};

// Runs `session` (first input, first output) over `data` against `labels`
// (one per sample, as CheckLabelCount requires).
Result<TopKCounts> EvaluateClassifier(Session& session, io::Dataset& data, std::span<const int64_t> labels,
                                      const EvalOptions& options);

}  // namespace qforge::eval
