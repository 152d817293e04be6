// qforge eval MODEL --data D --labels L: top-1/top-5 accuracy of a classifier.
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/data_flags.h"
#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "cli/progress.h"
#include "cli/runtime_flags.h"
#include "eval/classification.h"
#include "io/data/quantized_input.h"
#include "qforge/model.h"
#include "qforge/runtime.h"

namespace qforge::cli {

namespace {

struct EvalCliOptions {
  RuntimeFlags runtime;
  std::string model;
  std::string labels;
  io::DataSpec data;
  int64_t batch = 32;
  int64_t limit = -1;
};

int Eval(const EvalCliOptions& opt) {
  Result<Model> model = LoadModel(opt.model);
  if (!model.ok()) return ReportError(model.status());
  const std::vector<IoInfo> infos = model->inputs();
  if (infos.size() != 1) {
    return ReportError(Unsupported(opt.model + ": eval needs a model with one input, this one has " +
                                   std::to_string(infos.size())));
  }
  Result<std::unique_ptr<io::Dataset>> data = io::OpenDatasetForInput(opt.data, infos[0]);
  if (!data.ok()) return ReportError(data.status());
  // Without --labels, an image folder's class subfolders are the labels.
  Result<std::vector<int64_t>> labels =
      opt.labels.empty() ? (*data)->FolderLabels() : io::LoadLabels(opt.labels);
  if (!labels.ok()) {
    if (opt.labels.empty()) {
      return ReportError(InvalidArgument(opt.data.path + ": has no class subfolders; pass --labels"));
    }
    return ReportError(labels.status());
  }
  const int64_t n = opt.limit >= 0 ? std::min(opt.limit, (*data)->size()) : (*data)->size();
  const Status label_count = eval::CheckLabelCount(
      labels->size(), (*data)->size(), opt.labels.empty() ? opt.data.path : opt.labels, opt.data.path);
  if (!label_count.ok()) return ReportError(label_count);
  Result<Session> session = Session::Create(*model, ToSessionOptions(opt.runtime));
  if (!session.ok()) return ReportError(session.status());

  ProgressBar bar("eval", n);
  eval::EvalOptions eo;
  eo.batch = opt.batch;
  eo.limit = opt.limit;
  eo.progress = [&](int64_t done, int64_t) { bar.Update(done); };
  const auto start = std::chrono::steady_clock::now();
  Result<eval::TopKCounts> counts = eval::EvaluateClassifier(*session, **data, *labels, eo);
  bar.Finish();
  if (!counts.ok()) return ReportError(counts.status().WithContext(opt.model + ": "));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("samples: %lld\n", static_cast<long long>(counts->total));
  std::printf("top-1: %.2f%% (%lld/%lld)\n", counts->top1_percent(), static_cast<long long>(counts->top1),
              static_cast<long long>(counts->total));
  std::printf("top-5: %.2f%% (%lld/%lld)\n", counts->top5_percent(), static_cast<long long>(counts->top5),
              static_cast<long long>(counts->total));
  std::printf("time: %.2f s (%.1f samples/s, batch %lld, %s runtime, %d thread(s))\n", secs,
              static_cast<double>(counts->total) / secs, static_cast<long long>(opt.batch),
              opt.runtime.reference ? "reference" : "optimized", session->threads());
  return kExitOk;
}

}  // namespace

void RegisterEval(CLI::App& app, Action* action) {
  auto opt = std::make_shared<EvalCliOptions>();
  CLI::App* sub = app.add_subcommand("eval", "Top-1/top-5 accuracy of a classifier on labelled data");
  AddRuntimeFlags(sub, &opt->runtime);
  sub->add_option("model", opt->model, "Model file (.onnx or .tflite)")->required();
  sub->add_option("--data", opt->data.path, "Samples: .npy, .npz, IDX (.gz), raw float32, or an image folder")
      ->required();
  sub->add_option(
      "--labels", opt->labels,
      "Labels: .npy of integers or an IDX label file (.gz); optional for an image folder with one "
      "subfolder per class");
  sub->add_option("--batch", opt->batch, "Samples per inference")->check(CLI::PositiveNumber);
  sub->add_option("--limit", opt->limit, "Evaluate only the first N samples")->check(CLI::NonNegativeNumber);
  AddDataFlags(sub, &opt->data);
  sub->callback([opt, action] { *action = [opt] { return Eval(*opt); }; });
}

}  // namespace qforge::cli
