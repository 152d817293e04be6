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
  if (g.inputs.size() != 1) {
    return InvalidArgument("one data set for a model with " + std::to_string(g.inputs.size()) +
                           " inputs: give one per input");
  }
  std::vector<InputFeed> feeds(1);
  feeds[0].samples = &data;
  return DatasetBatches(g, std::move(feeds), options);
}

Result<BatchSource> DatasetBatches(const ir::Graph& g, std::vector<InputFeed> feeds,
                                   const CalibrateOptions& options) {
  if (options.count <= 0) {
    return InvalidArgument("calibration sample count must be positive, got " + std::to_string(options.count));
  }
  if (options.batch <= 0) {
    return InvalidArgument("calibration batch size must be positive, got " + std::to_string(options.batch));
  }
  if (feeds.size() != g.inputs.size()) {
    return InvalidArgument(std::to_string(feeds.size()) + " calibration inputs for a model with " +
                           std::to_string(g.inputs.size()));
  }
  // The first sampled input decides the batch; every sampled input must hold as many samples.
  const ir::Value* lead = nullptr;
  int64_t available = -1;
  for (size_t i = 0; i < feeds.size(); ++i) {
    if (feeds[i].samples == nullptr) continue;
    const ir::Value& v = g.value(g.inputs[i]);
    const int64_t size = feeds[i].samples->size();
    if (size <= 0) return InvalidArgument("the calibration data of input '" + v.name + "' is empty");
    if (lead != nullptr && size != available) {
      return InvalidArgument("input '" + v.name + "' has " + std::to_string(size) +
                             " calibration samples, input '" + lead->name + "' " + std::to_string(available) +
                             ": they must be equally many");
    }
    if (lead == nullptr) lead = &v;
    available = size;
  }
  if (lead == nullptr) return InvalidArgument("no calibration input holds samples");

  int64_t n = std::min(options.count, available);
  int64_t batch = options.batch;
  if (lead->type.rank_known && !lead->type.dims.empty() && lead->type.dims[0] > 0) {
    // A fixed batch dimension: every inference must have exactly that many samples.
    batch = lead->type.dims[0];
    n = n / batch * batch;
    if (n == 0) {
      return InvalidArgument("input '" + lead->name + "' has a fixed batch of " + std::to_string(batch) +
                             " samples but only " + std::to_string(std::min(options.count, available)) +
                             " calibration samples are available");
    }
  }
  auto first = std::make_shared<int64_t>(0);
  auto shared = std::make_shared<std::vector<InputFeed>>(std::move(feeds));
  return BatchSource([shared, first, n, batch, progress = options.progress]() -> Result<std::vector<Tensor>> {
    // Asked for the next batch: the previous one is done.
    if (*first > 0 && progress) progress(*first, n);
    std::vector<Tensor> out;
    if (*first >= n) return out;
    const int64_t count = std::min(batch, n - *first);
    for (InputFeed& f : *shared) {
      if (f.samples == nullptr) {
        out.push_back(f.constant);
        continue;
      }
      QF_ASSIGN_OR_RETURN(Tensor x, f.samples->Read(*first, count));
      out.push_back(std::move(x));
    }
    *first += count;
    return out;
  });
}

Result<CalibrationStats> Calibrate(std::shared_ptr<const ir::Graph> float_graph, io::Dataset& data,
                                   const CalibrateOptions& options) {
  if (float_graph == nullptr) return InvalidArgument("calibration needs a model");
  QF_ASSIGN_OR_RETURN(BatchSource next, DatasetBatches(*float_graph, data, options));
  return Calibrate(std::move(float_graph), next);
}

namespace {

// Graph output and input indices of each feedback pair, checked.
Result<std::vector<std::pair<size_t, size_t>>> ResolveFeedback(const ir::Graph& g,
                                                               const std::vector<Feedback>& feedback) {
  std::vector<std::pair<size_t, size_t>> pairs;  // (output index, input index)
  auto index_of = [&](const std::vector<ir::ValueId>& ids, const std::string& name) -> int64_t {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (g.value(ids[i]).name == name) return static_cast<int64_t>(i);
    }
    return -1;
  };
  for (const Feedback& f : feedback) {
    const int64_t out = index_of(g.outputs, f.output), in = index_of(g.inputs, f.input);
    if (out < 0)
      return InvalidArgument("feedback " + f.output + "=" + f.input + ": no model output '" + f.output + "'");
    if (in < 0)
      return InvalidArgument("feedback " + f.output + "=" + f.input + ": no model input '" + f.input + "'");
    const DataType a = g.value(g.outputs[static_cast<size_t>(out)]).type.dtype;
    const DataType b = g.value(g.inputs[static_cast<size_t>(in)]).type.dtype;
    if (a != b) {
      return InvalidArgument("feedback " + f.output + "=" + f.input + ": output is " + DataTypeName(a) +
                             ", input " + DataTypeName(b));
    }
    pairs.emplace_back(static_cast<size_t>(out), static_cast<size_t>(in));
  }
  return pairs;
}

}  // namespace

Result<CalibrationStats> Calibrate(std::shared_ptr<const ir::Graph> float_graph, const BatchSource& next,
                                   const std::vector<Feedback>& feedback) {
  if (float_graph == nullptr) return InvalidArgument("calibration needs a model");
  const ir::Graph& g = *float_graph;
  QF_ASSIGN_OR_RETURN(const auto pairs, ResolveFeedback(g, feedback));
  std::vector<bool> fed_back(g.inputs.size(), false);
  for (const auto& [out, in] : pairs) fed_back[in] = true;

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
  interp.set_observer(
      [&](const ir::Graph& node_graph, const ir::Node& node, std::span<const Tensor* const> outs) {
        if (!failure.ok()) return;  // the first error is the one reported
        for (size_t o = 0; o < outs.size() && o < node.outputs.size(); ++o) {
          const Tensor* t = outs[o];
          if (t == nullptr || t->dtype() != DataType::kFloat32 || node.outputs[o] == ir::kNoValue) continue;
          failure = record(node_graph.value(node.outputs[o]).name, "of " + node_graph.Describe(node), *t);
          if (!failure.ok()) return;
        }
      },
      /*folded_too=*/true);

  std::vector<Tensor> state(g.inputs.size());  // fed-back values, after the first batch
  while (true) {
    QF_ASSIGN_OR_RETURN(std::vector<Tensor> inputs, next());
    if (inputs.empty()) break;
    if (inputs.size() != g.inputs.size()) {
      return InvalidArgument("a calibration batch has " + std::to_string(inputs.size()) +
                             " tensors; the model has " + std::to_string(g.inputs.size()) + " inputs");
    }
    int64_t samples = 1;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (fed_back[i] || inputs[i].rank() == 0) continue;
      if (inputs[i].dim(0) <= 0) {
        return InvalidArgument("calibration batch of shape " + inputs[i].ShapeString() + " for input '" +
                               g.value(g.inputs[i]).name + "': needs at least one sample");
      }
      samples = inputs[i].dim(0);
      break;
    }
    const int64_t first = seen;
    seen += samples;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (state[i].defined()) inputs[i] = state[i];
      if (inputs[i].dtype() == DataType::kFloat32) {
        QF_RETURN_IF_ERROR(record(g.value(g.inputs[i]).name, "(graph input)", inputs[i]));
      }
    }
    Result<std::vector<Tensor>> outputs = interp.Run(inputs);
    // An activation error comes first: it explains a kernel failure it may have caused.
    QF_RETURN_IF_ERROR(failure);
    if (!outputs.ok()) {
      return outputs.status().WithContext("calibration, samples " + std::to_string(first) + ".." +
                                          std::to_string(seen - 1) + ": ");
    }
    for (const auto& [out, in] : pairs) state[in] = (*outputs)[out];
  }
  if (seen == 0) return InvalidArgument("no calibration samples: the first batch was already the end");
  stats.set_samples(seen);
  return stats;
}

}  // namespace qforge::quant
