// qforge run MODEL --input X.npy ... --output Y.npy ...: one inference.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/calib_data.h"
#include "cli/commands.h"
#include "cli/data_flags.h"
#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "cli/output_paths.h"
#include "cli/runtime_flags.h"
#include "io/data/quantized_input.h"
#include "qforge/model.h"
#include "qforge/runtime.h"

namespace qforge::cli {

namespace {

struct RunOptions {
  RuntimeFlags runtime;
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  io::DataSpec data;
};

// An .npy is taken as the whole input tensor; any other data source (an
// .npz member included) is read as all of its samples stacked into one
// batch, or as its one value for a rank-0 input.
Result<Tensor> LoadInput(const io::DataSpec& spec, const IoInfo& info) {
  if (spec.npz_key.empty() && std::filesystem::path(spec.path).extension() == ".npy") {
    QF_ASSIGN_OR_RETURN(Tensor t, io::ReadNpy(spec.path));
    return io::QuantizeForInput(t, info);
  }
  QF_ASSIGN_OR_RETURN(std::unique_ptr<io::Dataset> ds, io::OpenDatasetForInput(spec, info));
  if (info.dims.empty()) return ScalarOf(*ds, info, spec.path);
  return ds->Read(0, ds->size());
}

// The data of each model input, in input order: `-i` once per input in
// order, NAME=FILE per input, or one .npz with a member per input name.
Result<std::vector<io::DataSpec>> InputSpecs(const RunOptions& opt, const std::vector<IoInfo>& infos) {
  std::vector<io::DataSpec> specs;
  if (NamesInputs(opt.inputs, infos)) {
    QF_ASSIGN_OR_RETURN(auto named, AssignInputFiles("--input", opt.inputs, opt.data, infos,
                                                     std::vector<bool>(infos.size(), false)));
    for (const IoInfo& info : infos) specs.push_back(named.at(info.name));
    return specs;
  }
  if (opt.inputs.size() != infos.size()) {
    return InvalidArgument(opt.model + " takes " + std::to_string(infos.size()) + " input(s), got " +
                           std::to_string(opt.inputs.size()) +
                           " --input file(s) (one per input in order, NAME=FILE per input, or an .npz)");
  }
  for (const std::string& path : opt.inputs) {
    io::DataSpec spec = opt.data;
    spec.path = path;
    specs.push_back(spec);
  }
  return specs;
}

std::string Summary(const Tensor& t) {
  std::string s = std::string(DataTypeName(t.dtype())) + t.ShapeString();
  if (t.dtype() == DataType::kFloat32 && t.num_elements() > 0) {
    s += " first values:";
    for (int64_t i = 0; i < std::min<int64_t>(t.num_elements(), 8); ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " %.6g", static_cast<double>(t.data<float>()[i]));
      s += buf;
    }
  }
  return s;
}

int Run(const RunOptions& opt) {
  std::vector<std::string> read = InputFilesOf(opt.inputs);
  read.push_back(opt.model);
  Status paths = CheckOutputPaths(read, opt.outputs);
  if (!paths.ok()) return ReportError(paths);
  Result<Model> model = LoadModel(opt.model);
  if (!model.ok()) return ReportError(model.status());
  // The model's external data files are inputs too; only loading names them.
  paths = CheckOutputPaths(model->side_files(), opt.outputs);
  if (!paths.ok()) return ReportError(paths);
  const std::vector<IoInfo> infos = model->inputs();
  Result<std::vector<io::DataSpec>> specs = InputSpecs(opt, infos);
  if (!specs.ok()) return ReportError(specs.status());
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < infos.size(); ++i) {
    Result<Tensor> t = LoadInput((*specs)[i], infos[i]);
    if (!t.ok()) return ReportError(t.status());
    Status finite = CheckFinite(*t, (*specs)[i].path);
    if (!finite.ok()) return ReportError(finite);
    inputs.push_back(std::move(t).value());
  }
  Result<Session> session = Session::Create(*model, ToSessionOptions(opt.runtime));
  if (!session.ok()) return ReportError(session.status());
  Result<std::vector<Tensor>> outputs = session->RunStacked(inputs);
  if (!outputs.ok()) return ReportError(outputs.status().WithContext(opt.model + ": "));
  const std::vector<IoInfo> out_infos = model->outputs();
  if (opt.outputs.size() > out_infos.size()) {
    return ReportError(InvalidArgument("model has " + std::to_string(out_infos.size()) + " output(s), got " +
                                       std::to_string(opt.outputs.size()) + " --output file(s)"));
  }
  for (size_t i = 0; i < out_infos.size(); ++i) {
    if (i < opt.outputs.size()) {
      Status s = io::WriteNpy(opt.outputs[i], (*outputs)[i]);
      if (!s.ok()) return ReportError(s);
      std::printf("%s -> %s %s\n", out_infos[i].name.c_str(), opt.outputs[i].c_str(),
                  (*outputs)[i].ShapeString().c_str());
    } else {
      std::printf("%s: %s\n", out_infos[i].name.c_str(), Summary((*outputs)[i]).c_str());
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterRun(CLI::App& app, Action* action) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand("run", "Run a model once on input files and save its outputs");
  AddRuntimeFlags(sub, &opt->runtime);
  sub->add_option("model", opt->model, "Model file (.onnx or .tflite)")->required();
  sub->add_option(
         "-i,--input", opt->inputs,
         "Input data: one per model input in order (.npy, .npz, IDX, raw, image folder), NAME=FILE per "
         "input, or one .npz with a member per input name")
      ->required();
  sub->add_option("-o,--output", opt->outputs, "Write the model's outputs, in order, to these .npy files");
  AddDataFlags(sub, &opt->data);
  sub->callback([opt, action] { *action = [opt] { return Run(*opt); }; });
}

}  // namespace qforge::cli
