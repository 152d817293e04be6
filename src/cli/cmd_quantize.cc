// qforge quantize MODEL -o OUT --mode M [--calib DATA ...] [--eval DATA --labels L]:
// post-training quantization in every mode of QUANT_SPEC 4, with a report.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "cli/commands.h"
#include "cli/data_flags.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/quantize_report.h"
#include "io/data/quantized_input.h"
#include "ir/graph.h"
#include "passes/pipelines.h"
#include "qforge/model.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"

namespace qforge::cli {

namespace {

struct QuantizeCliOptions {
  std::string model;
  std::string output;
  std::string mode = "int8";
  io::DataSpec calib;
  int64_t calib_count = 100;
  int64_t calib_batch = 16;
  std::string estimator = "minmax";
  double percentile = 99.99;
  double momentum = 0.01;
  std::string save_stats;
  std::string load_stats;
  bool per_tensor = false;
  bool per_tensor_fc = false;
  std::string activations = "int8";
  std::string io = "int8";
  std::vector<std::string> exclude;
  std::string eval_data;
  std::string eval_labels;
  int64_t eval_limit = -1;
};

Result<DataType> ParseIntType(const std::string& flag, const std::string& s) {
  if (s == "int8") return DataType::kInt8;
  if (s == "uint8") return DataType::kUInt8;
  return InvalidArgument(flag + " must be int8 or uint8, not '" + s + "'");
}

bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::exists(b, ec) && std::filesystem::equivalent(a, b, ec);
}

// Runs calibration (or loads saved statistics) and returns the ranges.
Result<std::map<std::string, quant::ValueRange>> CalibrationRanges(const QuantizeCliOptions& opt,
                                                                   std::shared_ptr<const ir::Graph> prepared,
                                                                   const IoInfo& input,
                                                                   CalibrationInfo* info) {
  quant::CalibrationStats stats;
  if (!opt.load_stats.empty()) {
    QF_ASSIGN_OR_RETURN(stats, quant::CalibrationStats::Load(opt.load_stats));
    info->source = opt.load_stats;
  } else {
    if (opt.calib.path.empty()) {
      return InvalidArgument(std::string("mode ") + opt.mode +
                             " needs calibration data: pass --calib DATA (or --load-calib-stats FILE)");
    }
    QF_ASSIGN_OR_RETURN(std::unique_ptr<io::Dataset> data, io::OpenDatasetForInput(opt.calib, input));
    quant::CalibrateOptions co;
    co.count = opt.calib_count;
    co.batch = opt.calib_batch;
    ProgressBar bar("calibrate", std::min(opt.calib_count, data->size()));
    co.progress = [&](int64_t done, int64_t) { bar.Update(done); };
    Result<quant::CalibrationStats> s = quant::Calibrate(prepared, *data, co);
    bar.Finish();
    if (!s.ok()) return s.status().WithContext(opt.calib.path + ": ");
    stats = std::move(*s);
    info->source = opt.calib.path;
  }
  if (!opt.save_stats.empty()) QF_RETURN_IF_ERROR(stats.Save(opt.save_stats));
  quant::EstimatorOptions eo;
  QF_ASSIGN_OR_RETURN(eo.estimator, quant::ParseRangeEstimator(opt.estimator));
  eo.percentile = opt.percentile;
  eo.momentum = opt.momentum;
  QF_ASSIGN_OR_RETURN(auto ranges, quant::ComputeRanges(stats, eo));
  if (eo.estimator != quant::RangeEstimator::kMinMax) {
    // Clipping estimators assume rare outliers carry little information.
    // That is false for gates (Sigmoid / HardSigmoid in squeeze-excitation
    // blocks scale whole channels), bounded activations and the model's
    // outputs: clipping them cost 50 points of top-1 on a MobileNetV3. Those
    // keep their observed min/max.
    QF_ASSIGN_OR_RETURN(auto minmax, quant::ComputeRanges(stats, {}));
    auto keep = [&](ir::ValueId v) {
      auto it = minmax.find(prepared->value(v).name);
      if (it != minmax.end()) ranges[it->first] = it->second;
    };
    for (const ir::Node& n : prepared->nodes) {
      if (n.op == OpKind::kSigmoid || n.op == OpKind::kHardSigmoid || n.op == OpKind::kTanh ||
          n.op == OpKind::kSoftmax || n.op == OpKind::kHardSwish) {
        for (ir::ValueId out : n.outputs) {
          if (out != ir::kNoValue) keep(out);
        }
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
    return InvalidArgument((opt.load_stats.empty() ? opt.calib.path : opt.load_stats) +
                           ": the statistics do not match this model: nothing recorded for " +
                           std::to_string(missing) + " of its " + std::to_string(activations) +
                           " activations (first: '" + first_missing + "')");
  }
  info->samples = stats.samples();
  info->estimator = opt.estimator;
  std::map<std::string, quant::ValueRange> out;
  for (const auto& [name, r] : ranges) out[name] = {r.min, r.max};
  return out;
}

int Quantize(const QuantizeCliOptions& opt) {
  Result<quant::QuantMode> mode = quant::ParseQuantMode(opt.mode);
  if (!mode.ok()) return ReportError(mode.status());
  quant::QuantizeOptions qo;
  qo.mode = *mode;
  qo.per_channel = !opt.per_tensor;
  qo.per_channel_fc = !opt.per_tensor_fc;
  Result<DataType> act = ParseIntType("--activations", opt.activations);
  if (!act.ok()) return ReportError(act.status());
  Result<DataType> io_type = ParseIntType("--io", opt.io);
  if (!io_type.ok()) return ReportError(io_type.status());
  qo.activation_type = *act;
  qo.io_type = *io_type;
  qo.exclude.insert(opt.exclude.begin(), opt.exclude.end());
  if (SameFile(opt.model, opt.output)) {
    return ReportError(InvalidArgument(opt.output + ": refusing to overwrite the input model"));
  }

  Result<Model> model = Model::Load(opt.model);
  if (!model.ok()) return ReportError(model.status());
  EvalRequest er;
  er.data = opt.calib;
  er.data.path = opt.eval_data;
  er.labels = opt.eval_labels;
  er.limit = opt.eval_limit;
  if (!opt.eval_data.empty()) {  // bad --eval arguments fail before anything is written
    if (model->inputs().size() != 1) {
      return ReportError(Unsupported(opt.model + ": --eval needs a model with one input"));
    }
    Result<EvalData> check = OpenEvalData(er, model->inputs()[0]);
    if (!check.ok()) return ReportError(check.status());
  }
  auto prepared = std::make_shared<ir::Graph>(model->graph());
  passes::PrepareReport prep;
  Status s = passes::PrepareForQuantization(prepared.get(), &prep);
  if (!s.ok()) return ReportError(s.WithContext(opt.model + ": "));

  CalibrationInfo calib;
  if (quant::NeedsCalibration(qo.mode)) {
    const std::vector<IoInfo> inputs = model->inputs();
    if (inputs.size() != 1) {
      return ReportError(Unsupported(opt.model + ": calibration needs a model with one input, this one has " +
                                     std::to_string(inputs.size())));
    }
    Result<std::map<std::string, quant::ValueRange>> ranges =
        CalibrationRanges(opt, prepared, inputs[0], &calib);
    if (!ranges.ok()) return ReportError(ranges.status());
    qo.ranges = std::move(*ranges);
  } else if (!opt.calib.path.empty() || !opt.load_stats.empty()) {
    std::fprintf(stderr, "note: mode %s needs no calibration; --calib/--load-calib-stats ignored\n",
                 opt.mode.c_str());
  }

  // A name the user sees in the float model may have been fused away (a Relu
  // into its Conv): exclude the node that now computes its output.
  std::set<std::string> exclude;
  for (const std::string& name : qo.exclude) {
    std::string mapped = name;
    const ir::Graph& original = model->graph();
    for (const ir::Node& n : original.nodes) {
      if (n.name != name || n.outputs.empty()) continue;
      bool kept = false;
      for (const ir::Node& p : prepared->nodes) kept = kept || p.name == name;
      if (kept) break;
      const std::string out = original.value(n.outputs[0]).name;
      for (const ir::Node& p : prepared->nodes) {
        if (!p.outputs.empty() && p.outputs[0] != ir::kNoValue && prepared->value(p.outputs[0]).name == out) {
          mapped = p.name;
        }
      }
      if (mapped != name) {
        std::fprintf(stderr, "note: --exclude %s: it was fused into '%s'; excluding that node\n",
                     name.c_str(), mapped.c_str());
      }
    }
    exclude.insert(mapped);
  }
  qo.exclude = std::move(exclude);

  quant::QuantizeReport report;
  Result<ir::Graph> qg = quant::QuantizeGraph(*prepared, qo, &report);
  if (!qg.ok()) return ReportError(qg.status().WithContext(opt.model + ": "));
  Model quantized(std::make_shared<ir::Graph>(std::move(*qg)));
  s = quantized.Save(opt.output);
  if (!s.ok()) return ReportError(s);

  ReportInputs ri;
  ri.model_path = opt.model;
  ri.output_path = opt.output;
  ri.options = &qo;
  ri.report = &report;
  ri.prepare = &prep;
  ri.calibration = calib;
  PrintQuantizeReport(ri);
  if (opt.eval_data.empty()) return kExitOk;

  return CompareAccuracy(opt.model, opt.output, *mode, er);
}

}  // namespace

void RegisterQuantize(CLI::App& app, Action* action) {
  auto opt = std::make_shared<QuantizeCliOptions>();
  CLI::App* sub =
      app.add_subcommand("quantize", "Post-training quantization (weight-only, dynamic, float16, int8)");
  sub->add_option("model", opt->model, "Float model (.onnx or .tflite)")->required();
  sub->add_option("-o,--output", opt->output, "Output model: .onnx (QDQ) or .tflite")->required();
  sub->add_option("--mode", opt->mode, "weight-only | dynamic | float16 | int8 | int8-only")
      ->capture_default_str();
  sub->add_option("--calib", opt->calib.path,
                  "Calibration samples (int8 modes): .npy, .npz, IDX, raw float32 or an image folder");
  sub->add_option("--calib-count", opt->calib_count, "Calibration samples to use")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--calib-batch", opt->calib_batch, "Samples per calibration inference")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--estimator", opt->estimator,
                  "Range estimator: minmax | moving-avg | percentile | entropy | mse")
      ->capture_default_str();
  sub->add_option("--percentile", opt->percentile, "Percentile for --estimator percentile")
      ->capture_default_str();
  sub->add_option("--momentum", opt->momentum, "Momentum for --estimator moving-avg")->capture_default_str();
  sub->add_option("--save-calib-stats", opt->save_stats, "Write the calibration statistics to this file");
  sub->add_option("--load-calib-stats", opt->load_stats, "Use saved statistics instead of running --calib");
  sub->add_flag("--per-tensor", opt->per_tensor, "One weight scale per tensor (default: per output channel)");
  sub->add_flag(
      "--per-tensor-fc", opt->per_tensor_fc,
      "One weight scale per tensor for fully connected layers (Gemm, MatMul) only: what NNAPI, Arm NN "
      "and TFLite runtimes before 2024 need");
  sub->add_option("--activations", opt->activations, "Activation type of the int8 modes: int8 | uint8")
      ->capture_default_str();
  sub->add_option("--io", opt->io, "int8-only: type of the model's inputs and outputs: int8 | uint8")
      ->capture_default_str();
  sub->add_option("--exclude", opt->exclude, "Node names to keep in float");
  sub->add_option("--eval", opt->eval_data, "Labelled data: print float and quantized top-1 side by side");
  sub->add_option("--labels", opt->eval_labels, "Labels for --eval (.npy or IDX)");
  sub->add_option("--eval-limit", opt->eval_limit, "Evaluate only the first N samples")
      ->check(CLI::NonNegativeNumber);
  AddDataFlags(sub, &opt->calib);
  sub->callback([opt, action] { *action = [opt] { return Quantize(*opt); }; });
}

}  // namespace qforge::cli
