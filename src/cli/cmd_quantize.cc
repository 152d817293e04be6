// qforge quantize MODEL -o OUT --mode M [--calib DATA ...] [--eval DATA --labels L]:
// post-training quantization in every mode of QUANT_SPEC 4, with a report.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/calib_data.h"
#include "cli/commands.h"
#include "cli/data_flags.h"
#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "cli/output_paths.h"
#include "cli/progress.h"
#include "cli/quantize_report.h"
#include "io/atomic_file.h"
#include "io/data/quantized_input.h"
#include "ir/graph.h"
#include "qforge/model.h"
#include "qforge/quantize.h"
#include "quant/calibration/calibration.h"

namespace qforge::cli {

namespace {

struct QuantizeCliOptions {
  std::string model;
  std::string output;
  std::string mode = "int8";
  io::DataSpec calib;                     // the data flags; path: the first --calib value
  std::vector<std::string> calib_values;  // --calib FILE, or NAME=FILE per input
  std::vector<std::string> feedback;      // --feedback OUT=IN
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

bool NeedsCalibration(QuantizeMode m) { return m == QuantizeMode::kInt8 || m == QuantizeMode::kInt8Only; }

// The API's options from the flags (everything but the calibration batches).
Result<QuantizeOptions> ApiOptions(const QuantizeCliOptions& opt) {
  QuantizeOptions qo;
  QF_ASSIGN_OR_RETURN(qo.mode, ParseQuantizeMode(opt.mode));
  qo.weights = opt.per_tensor      ? WeightGranularity::kPerTensor
               : opt.per_tensor_fc ? WeightGranularity::kPerTensorFc
                                   : WeightGranularity::kPerChannel;
  QF_ASSIGN_OR_RETURN(qo.activation_type, ParseIntType("--activations", opt.activations));
  QF_ASSIGN_OR_RETURN(qo.io_type, ParseIntType("--io", opt.io));
  qo.exclude = opt.exclude;
  if (NeedsCalibration(qo.mode)) {
    CalibrationOptions& c = qo.calibration;
    QF_ASSIGN_OR_RETURN(c.estimator, ParseRangeEstimator(opt.estimator));
    c.percentile = opt.percentile;
    c.momentum = opt.momentum;
    c.load_statistics = opt.load_stats;
    c.save_statistics = opt.save_stats;
    c.source_name = opt.calib.path;
  }
  return qo;
}

int Quantize(QuantizeCliOptions opt) {
  if (!opt.calib_values.empty()) opt.calib.path = opt.calib_values[0];
  std::vector<std::string> inputs = InputFilesOf(opt.calib_values);
  inputs.insert(inputs.end(), {opt.model, opt.load_stats, opt.eval_data, opt.eval_labels});
  Status paths = CheckOutputPaths(inputs, {opt.output, opt.save_stats});
  if (!paths.ok()) return ReportError(paths);
  Result<QuantizeOptions> qo = ApiOptions(opt);
  if (!qo.ok()) return ReportError(qo.status());
  Result<std::vector<StateFeedback>> feedback = ParseFeedback(opt.feedback);
  if (!feedback.ok()) return ReportError(feedback.status());
  qo->calibration.feedback = *feedback;

  Result<Model> model = LoadModel(opt.model);
  if (!model.ok()) return ReportError(model.status());
  // The model's external data files are inputs too; only loading names them.
  paths = CheckOutputPaths(model->side_files(), {opt.output, opt.save_stats});
  if (!paths.ok()) return ReportError(paths);
  if (NeedsCalibration(qo->mode)) {
    // What quantizing would refuse whatever the data (int8-only: every node
    // without an integer form) fails now, before any data is opened.
    Status check = CheckBeforeCalibration(*model, *qo);
    if (!check.ok()) return ReportError(check);
  }
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

  std::unique_ptr<ProgressBar> bar;
  if (NeedsCalibration(qo->mode) && opt.load_stats.empty()) {
    if (opt.calib.path.empty()) {
      return ReportError(
          InvalidArgument(std::string("mode ") + opt.mode +
                          " needs calibration data: pass --calib DATA (or --load-calib-stats FILE)"));
    }
    CalibArgs ca;
    ca.calib = opt.calib_values;
    ca.feedback = opt.feedback;
    ca.spec = opt.calib;
    ca.count = opt.calib_count;
    ca.batch = opt.calib_batch;
    Result<CalibrationBatches> batches = OpenCalibration(ca, *model, *feedback, &bar);
    if (!batches.ok()) return ReportError(batches.status());
    qo->calibration.batches = std::move(*batches);
  } else if (!NeedsCalibration(qo->mode) && (!opt.calib.path.empty() || !opt.load_stats.empty())) {
    std::fprintf(stderr, "note: mode %s needs no calibration; --calib/--load-calib-stats ignored\n",
                 opt.mode.c_str());
  }

  Result<QuantizeResult> result = qforge::Quantize(*model, *qo);
  if (bar) bar->Finish();
  if (!result.ok()) return ReportError(result.status());
  for (const std::string& note : result->report.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  Result<std::string> bytes = result->model.Serialize(opt.output);
  if (!bytes.ok()) return ReportError(bytes.status());
  // --eval measures the model as written (read back from its bytes), before
  // it is written: when the evaluation fails, nothing is.
  ModelResult float_result, quant_result;
  if (!opt.eval_data.empty()) {
    Result<ModelResult> f = MeasureModel(*model, opt.model, FileSize(opt.model), er, "float");
    if (!f.ok()) return ReportError(f.status());
    Result<Model> written = Model::FromBytes(*bytes, opt.output);
    if (!written.ok()) return ReportError(written.status());
    Result<ModelResult> q = MeasureModel(*written, opt.output, bytes->size(), er, QuantizeModeName(qo->mode));
    if (!q.ok()) return ReportError(q.status());
    float_result = *f;
    quant_result = *q;
  }
  Status s = io::WriteFileAtomic(opt.output, *bytes);
  if (!s.ok()) return ReportError(s);
  PrintQuantizeReport(opt.model, opt.output, result->report);
  if (!opt.eval_data.empty()) PrintAccuracyComparison(float_result, quant_result, qo->mode);
  return kExitOk;
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
  sub->add_option("--calib", opt->calib_values,
                  "Calibration samples (int8 modes): .npy, .npz, IDX, raw float32 or an image folder; for a "
                  "model of several inputs an .npz with one member per input name, or NAME=FILE per input");
  sub->add_option(
      "--feedback", opt->feedback,
      "OUTPUT=INPUT: calibrate as a stream, feeding each batch's OUTPUT to the next batch's INPUT "
      "(model state; its first value is zeros)");
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
