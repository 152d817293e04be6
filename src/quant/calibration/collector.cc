// Collection: streams a data set through the float graph and records the
// statistics of every float32 activation.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/check.h"
#include "quant/calibration/calibration.h"
#include "runtime/interpreter.h"

namespace qforge::quant {

namespace {

// "NaN", "+Inf" or "-Inf" for the first non-finite value, or "" if all are finite.
std::string FirstNonFinite(std::span<const float> values) {
  for (float v : values) {
    if (std::isfinite(v)) continue;
    if (std::isnan(v)) return "NaN";
    return v > 0 ? "+Inf" : "-Inf";
  }
  return "";
}

}  // namespace

void CalibrationStats::Observe(const std::string& name, std::span<const float> values) {
  if (values.empty()) return;
  float lo = values[0], hi = values[0];
  bool finite = true;
  for (float v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    finite &= std::isfinite(v);
  }
  QF_CHECK(finite);  // the contract: Calibrate reports non-finite activations before recording them
  TensorStats& t = tensors_[name];
  if (t.elements == 0) {
    t.min = lo;
    t.max = hi;
  } else {
    t.min = std::min(t.min, lo);
    t.max = std::max(t.max, hi);
  }
  t.elements += static_cast<int64_t>(values.size());
  t.batch_min.push_back(lo);
  t.batch_max.push_back(hi);
  t.histogram.Add(values, t.min, t.max);
}

const TensorStats* CalibrationStats::Find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

Result<BatchSource> DatasetBatches(const ir::Graph& g, io::Dataset& data, const CalibrateOptions& options) {
  if (options.count <= 0) {
    return InvalidArgument("calibration sample count must be positive, got " + std::to_string(options.count));
  }
  if (options.batch <= 0) {
    return InvalidArgument("calibration batch size must be positive, got " + std::to_string(options.batch));
  }
  if (g.inputs.size() != 1) {
    return Unsupported("calibration needs a model with one input, this one has " +
                       std::to_string(g.inputs.size()));
  }
  if (data.size() <= 0) return InvalidArgument("the calibration data set is empty");

  int64_t n = std::min(options.count, data.size());
  int64_t batch = options.batch;
  const ir::Value& input = g.value(g.inputs[0]);
  if (input.type.rank_known && !input.type.dims.empty() && input.type.dims[0] > 0) {
    // A fixed batch dimension: every inference must have exactly that many samples.
    batch = input.type.dims[0];
    n = n / batch * batch;
    if (n == 0) {
      return InvalidArgument("input '" + input.name + "' has a fixed batch of " + std::to_string(batch) +
                             " samples but only " + std::to_string(std::min(options.count, data.size())) +
                             " calibration samples are available");
    }
  }
  auto first = std::make_shared<int64_t>(0);
  return BatchSource([&data, first, n, batch, progress = options.progress]() -> Result<Tensor> {
    // Asked for the next batch: the previous one is done.
    if (*first > 0 && progress) progress(*first, n);
    if (*first >= n) return Tensor();
    const int64_t count = std::min(batch, n - *first);
    QF_ASSIGN_OR_RETURN(Tensor x, data.Read(*first, count));
    *first += count;
    return x;
  });
}

Result<CalibrationStats> Calibrate(std::shared_ptr<const ir::Graph> float_graph, io::Dataset& data,
                                   const CalibrateOptions& options) {
  if (float_graph == nullptr) return InvalidArgument("calibration needs a model");
  QF_ASSIGN_OR_RETURN(BatchSource next, DatasetBatches(*float_graph, data, options));
  return Calibrate(std::move(float_graph), next);
}

Result<CalibrationStats> Calibrate(std::shared_ptr<const ir::Graph> float_graph, const BatchSource& next) {
  if (float_graph == nullptr) return InvalidArgument("calibration needs a model");
  const ir::Graph& g = *float_graph;
  if (g.inputs.size() != 1) {
    return Unsupported("calibration needs a model with one input, this one has " +
                       std::to_string(g.inputs.size()));
  }
  const ir::Value& input = g.value(g.inputs[0]);

  CalibrationStats stats;
  Status failure;
  int64_t seen = 0;  // samples run so far, including the current batch
  auto record = [&](const std::string& name, const std::string& where, const Tensor& t) -> Status {
    const std::span<const float> values = t.span<float>();
    const std::string bad = FirstNonFinite(values);
    if (!bad.empty()) {
      return InvalidArgument("activation '" + name + "' " + where + " is " + bad + " after " +
                             std::to_string(seen) + " samples");
    }
    stats.Observe(name, values);
    return Status::Ok();
  };

  runtime::Interpreter interp(float_graph);
  interp.set_observer([&](const ir::Node& node, std::span<Tensor* const> outs) {
    if (!failure.ok()) return;  // the first error is the one reported
    for (size_t o = 0; o < outs.size() && o < node.outputs.size(); ++o) {
      const Tensor* t = outs[o];
      if (t == nullptr || t->dtype() != DataType::kFloat32 || node.outputs[o] == ir::kNoValue) continue;
      failure = record(g.value(node.outputs[o]).name, "of " + g.Describe(node), *t);
      if (!failure.ok()) return;
    }
  });

  while (true) {
    QF_ASSIGN_OR_RETURN(Tensor x, next());
    if (!x.defined()) break;
    if (x.rank() == 0 || x.dim(0) <= 0) {
      return InvalidArgument("calibration batch of shape " + x.ShapeString() +
                             ": needs a leading batch dimension of at least one sample");
    }
    const int64_t first = seen;
    seen += x.dim(0);
    if (x.dtype() == DataType::kFloat32) QF_RETURN_IF_ERROR(record(input.name, "(graph input)", x));
    std::vector<Tensor> inputs;
    inputs.push_back(std::move(x));
    Result<std::vector<Tensor>> outputs = interp.Run(inputs);
    // An activation error comes first: it explains a kernel failure it may have caused.
    QF_RETURN_IF_ERROR(failure);
    if (!outputs.ok()) {
      return outputs.status().WithContext("calibration, samples " + std::to_string(first) + ".." +
                                          std::to_string(seen - 1) + ": ");
    }
  }
  if (seen == 0) return InvalidArgument("no calibration samples: the first batch was already the end");
  stats.set_samples(seen);
  return stats;
}

}  // namespace qforge::quant
