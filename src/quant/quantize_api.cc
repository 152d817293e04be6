// The public quantize API (include/qforge/quantize.h): float clean-up,
// calibration from the caller's batches or saved statistics, ranges with
// the estimator's gates, exclusions, then QuantizeGraph. The rules it
// applies are the quantization policy's (qscheme/policy.h).
#include <memory>

#include "ir/graph.h"
#include "passes/pipelines.h"
#include "qforge/quantize.h"
#include "qscheme/policy.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"

namespace qforge {

namespace {

// The public enums list the internal ones in the same order.
static_assert(static_cast<int>(QuantizeMode::kWeightOnly) == static_cast<int>(quant::QuantMode::kWeightOnly));
static_assert(static_cast<int>(QuantizeMode::kDynamic) == static_cast<int>(quant::QuantMode::kDynamic));
static_assert(static_cast<int>(QuantizeMode::kFloat16) == static_cast<int>(quant::QuantMode::kFloat16));
static_assert(static_cast<int>(QuantizeMode::kInt8) == static_cast<int>(quant::QuantMode::kInt8));
static_assert(static_cast<int>(QuantizeMode::kInt8Only) == static_cast<int>(quant::QuantMode::kInt8Only));
static_assert(static_cast<int>(RangeEstimator::kMinMax) == static_cast<int>(quant::RangeEstimator::kMinMax));
static_assert(static_cast<int>(RangeEstimator::kMovingAverage) ==
              static_cast<int>(quant::RangeEstimator::kMovingAverageMinMax));
static_assert(static_cast<int>(RangeEstimator::kPercentile) ==
              static_cast<int>(quant::RangeEstimator::kPercentile));
static_assert(static_cast<int>(RangeEstimator::kEntropy) ==
              static_cast<int>(quant::RangeEstimator::kEntropy));
static_assert(static_cast<int>(RangeEstimator::kMse) == static_cast<int>(quant::RangeEstimator::kMse));

quant::QuantMode Internal(QuantizeMode m) { return static_cast<quant::QuantMode>(m); }
quant::RangeEstimator Internal(RangeEstimator e) { return static_cast<quant::RangeEstimator>(e); }

// Errors about the model name its file, when it came from one.
std::string ModelContext(const Model& model) {
  const std::string& path = model.graph().source_path;
  return path.empty() ? std::string() : path + ": ";
}

Status CheckOptions(const QuantizeOptions& o) {
  for (DataType t : {o.activation_type, o.io_type}) {
    if (t != DataType::kInt8 && t != DataType::kUInt8) {
      return InvalidArgument(std::string("activation and I/O types must be int8 or uint8, not ") +
                             DataTypeName(t));
    }
  }
  return Status::Ok();
}

// Statistics from the caller's batches or a saved file.
Result<quant::CalibrationStats> Statistics(std::shared_ptr<const ir::Graph> prepared,
                                           const CalibrationOptions& c, const std::string& source,
                                           QuantizeMode mode) {
  if (!c.load_statistics.empty()) return quant::CalibrationStats::Load(c.load_statistics);
  if (!c.batches) {
    return InvalidArgument(std::string("mode ") + QuantizeModeName(mode) +
                           " needs calibration data: calibration batches or a statistics file");
  }
  std::vector<quant::Feedback> feedback;
  for (const StateFeedback& f : c.feedback) feedback.push_back({f.output, f.input});
  Result<quant::CalibrationStats> s = quant::Calibrate(std::move(prepared), c.batches, feedback);
  if (!s.ok()) return s.status().WithContext(source + ": ");
  return s;
}

// One range per activation of `prepared`, and the calibration part of the report.
Result<std::map<std::string, quant::ValueRange>> CalibrationRanges(std::shared_ptr<const ir::Graph> prepared,
                                                                   const QuantizeOptions& opt,
                                                                   QuantizeReport* report) {
  const CalibrationOptions& c = opt.calibration;
  std::string source = c.load_statistics;
  if (source.empty()) source = c.source_name.empty() ? "calibration batches" : c.source_name;
  QF_ASSIGN_OR_RETURN(quant::CalibrationStats stats, Statistics(prepared, c, source, opt.mode));
  if (!c.save_statistics.empty()) QF_RETURN_IF_ERROR(stats.Save(c.save_statistics));
  quant::EstimatorOptions eo;
  eo.estimator = Internal(c.estimator);
  eo.percentile = c.percentile;
  eo.momentum = c.momentum;
  QF_ASSIGN_OR_RETURN(auto ranges, quant::ComputeRanges(stats, eo));
  if (eo.estimator != quant::RangeEstimator::kMinMax) {
    // The gates of the policy, and the model's outputs, keep their observed min/max.
    QF_ASSIGN_OR_RETURN(auto minmax, quant::ComputeRanges(stats, {}));
    auto keep = [&](ir::ValueId v) {
      auto it = minmax.find(prepared->value(v).name);
      if (it != minmax.end()) ranges[it->first] = it->second;
    };
    for (const ir::Node& n : prepared->nodes) {
      if (!quant::KeepsObservedMinMax(*prepared, n)) continue;
      for (ir::ValueId out : n.outputs) {
        if (out != ir::kNoValue) keep(out);
      }
    }
    for (ir::ValueId out : prepared->outputs) keep(out);
  }
  // Statistics of another model (or of another version of this one) would
  // silently leave nodes without ranges: name the first activation missing.
  int64_t missing = 0, activations = 0;
  std::string first_missing;
  for (const ir::Node& n : prepared->nodes) {
    for (ir::ValueId out : n.outputs) {
      if (out == ir::kNoValue || prepared->value(out).type.dtype != DataType::kFloat32) continue;
      ++activations;
      if (ranges.count(prepared->value(out).name)) continue;
      if (missing++ == 0) first_missing = prepared->value(out).name;
    }
  }
  if (missing > 0) {
    return InvalidArgument(source + ": the statistics do not match this model: nothing recorded for " +
                           std::to_string(missing) + " of its " + std::to_string(activations) +
                           " activations (first: '" + first_missing + "')");
  }
  report->calibration_source = source;
  report->calibration_samples = stats.samples();
  report->estimator = c.estimator;
  std::map<std::string, quant::ValueRange> out;
  for (const auto& [name, r] : ranges) out[name] = {r.min, r.max};
  return out;
}

void CopyReport(const quant::QuantizeReport& r, QuantizeReport* out) {
  out->nodes_quantized = r.nodes_quantized;
  out->nodes_float = r.nodes_float;
  out->quantized_by_op = r.quantized_by_op;
  for (const quant::NodeOutcome& o : r.nodes) {
    out->nodes.push_back({o.name, std::string(OpName(o.op)), o.reason.empty(), o.reason});
  }
  out->weight_bytes_before = r.weight_bytes_before;
  out->weight_bytes_after = r.weight_bytes_after;
}

}  // namespace

Result<QuantizeMode> ParseQuantizeMode(std::string_view name) {
  QF_ASSIGN_OR_RETURN(quant::QuantMode m, quant::ParseQuantMode(name));
  return static_cast<QuantizeMode>(m);
}

const char* QuantizeModeName(QuantizeMode mode) { return quant::QuantModeName(Internal(mode)); }

Result<RangeEstimator> ParseRangeEstimator(std::string_view name) {
  QF_ASSIGN_OR_RETURN(quant::RangeEstimator e, quant::ParseRangeEstimator(name));
  return static_cast<RangeEstimator>(e);
}

const char* RangeEstimatorName(RangeEstimator e) { return quant::RangeEstimatorName(Internal(e)); }

namespace {

// The model prepared for quantization and the quantizer's options, calibration
// ranges aside: what both the check before calibration and Quantize start from.
struct PreparedQuantization {
  std::shared_ptr<ir::Graph> graph;
  quant::QuantizeOptions options;
};

Result<PreparedQuantization> Prepare(const Model& model, const QuantizeOptions& options,
                                     QuantizeReport* report) {
  QF_RETURN_IF_ERROR(CheckOptions(options));
  PreparedQuantization p;
  p.graph = std::make_shared<ir::Graph>(model.graph());
  passes::PrepareReport prep;
  Status s = passes::PrepareForQuantization(p.graph.get(), &prep);
  if (!s.ok()) return s.WithContext(ModelContext(model));
  report->batchnorms_folded = prep.batchnorms_folded;
  report->activations_fused = prep.activations_fused;
  report->identities_removed = prep.identities_removed;
  quant::QuantizeOptions& qo = p.options;
  qo.mode = Internal(options.mode);
  qo.per_channel = options.weights != WeightGranularity::kPerTensor;
  qo.per_channel_fc = options.weights == WeightGranularity::kPerChannel;
  qo.activation_type = options.activation_type;
  qo.io_type = options.io_type;
  qo.exclude = quant::ResolveExclusions(options.exclude, model.graph(), *p.graph, &report->notes);
  s = quant::CheckBeforeCalibration(*p.graph, qo);
  if (!s.ok()) return s.WithContext(ModelContext(model));
  return p;
}

}  // namespace

Status CheckBeforeCalibration(const Model& model, const QuantizeOptions& options) {
  QuantizeReport report;
  return Prepare(model, options, &report).status();
}

Result<QuantizeResult> Quantize(const Model& model, const QuantizeOptions& options) {
  QuantizeReport report;
  report.mode = options.mode;
  report.weights = options.weights;
  report.activation_type = options.activation_type;
  report.io_type = options.io_type;
  QF_ASSIGN_OR_RETURN(PreparedQuantization p, Prepare(model, options, &report));
  quant::QuantizeOptions& qo = p.options;
  if (quant::NeedsCalibration(qo.mode)) {
    QF_ASSIGN_OR_RETURN(qo.ranges, CalibrationRanges(p.graph, options, &report));
  }
  quant::QuantizeReport qr;
  Result<ir::Graph> qg = quant::QuantizeGraph(*p.graph, qo, &qr);
  if (!qg.ok()) return qg.status().WithContext(ModelContext(model));
  CopyReport(qr, &report);
  return QuantizeResult{Model(std::make_shared<ir::Graph>(std::move(*qg))), std::move(report)};
}

}  // namespace qforge
