// qforge convert IN -o OUT: read a model and write it in the format OUT's
// extension names: .onnx (opset 17, shape subgraphs folded) or .tflite
// (NHWC, docs/design/tflite.md), from .onnx or .tflite input.
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "cli/output_paths.h"
#include "qforge/model.h"

namespace qforge::cli {

namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
};

int Convert(const ConvertOptions& opt) {
  Status paths = CheckOutputPaths({opt.input}, {opt.output});
  if (!paths.ok()) return ReportError(paths);
  Result<Model> model = LoadModel(opt.input);
  if (!model.ok()) return ReportError(model.status());
  // The model's external data files are inputs too; only loading names them.
  paths = CheckOutputPaths(model->side_files(), {opt.output});
  if (!paths.ok()) return ReportError(paths);
  Status s = model->Save(opt.output);
  if (!s.ok()) return ReportError(s);
  std::error_code ec;
  std::printf("wrote %s (%lld bytes)\n", opt.output.c_str(),
              static_cast<long long>(std::filesystem::file_size(opt.output, ec)));
  return kExitOk;
}

}  // namespace

void RegisterConvert(CLI::App& app, Action* action) {
  auto opt = std::make_shared<ConvertOptions>();
  CLI::App* sub = app.add_subcommand(
      "convert", "Read a model and write it in another format (.onnx <-> .tflite) or opset");
  sub->add_option("model", opt->input, "Input model (.onnx or .tflite)")->required();
  sub->add_option("-o,--output", opt->output, "Output model: .onnx (written at opset 17) or .tflite")
      ->required();
  sub->callback([opt, action] { *action = [opt] { return Convert(*opt); }; });
}

}  // namespace qforge::cli
