#include "cli/calib_data.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "io/data/quantized_input.h"
#include "quant/calibration/calibration.h"

namespace qforge::cli {

namespace {

// "NAME=FILE" -> (NAME, FILE) when NAME is one of the model's inputs.
bool SplitPair(const std::string& v, const std::vector<IoInfo>& inputs, std::string* name,
               std::string* file) {
  const size_t eq = v.find('=');
  if (eq == std::string::npos) return false;
  const std::string n = v.substr(0, eq);
  if (std::none_of(inputs.begin(), inputs.end(), [&](const IoInfo& i) { return i.name == n; })) return false;
  *name = n;
  *file = v.substr(eq + 1);
  return true;
}

// Zeros shaped as `input` declares, dynamic dims set to `batch`.
Result<Tensor> ZeroState(const IoInfo& input, int64_t batch) {
  std::vector<int64_t> dims = input.dims;
  for (int64_t& d : dims) d = d < 0 ? batch : d;
  QF_ASSIGN_OR_RETURN(Tensor t,
                      Tensor::Create(input.dtype, dims, "initial state of input '" + input.name + "'"));
  std::memset(t.raw_data(), 0, t.byte_size());
  return t;
}

}  // namespace

// The one value of a rank-0 input's data.
Result<Tensor> ScalarOf(io::Dataset& data, const IoInfo& input, const std::string& file) {
  if (data.size() != 1 || !data.sample_dims().empty()) {
    return InvalidArgument(file + ": input '" + input.name + "' is a scalar: the data must hold one value");
  }
  QF_ASSIGN_OR_RETURN(Tensor t, data.Read(0, 1));
  return t.Reshaped({});
}

bool NamesInputs(const std::vector<std::string>& values, const std::vector<IoInfo>& inputs) {
  std::string name, file;
  if (!values.empty() && SplitPair(values[0], inputs, &name, &file)) return true;
  if (values.size() != 1 || inputs.size() < 2) return false;
  const std::string& v = values[0];
  return v.size() > 4 && v.compare(v.size() - 4, 4, ".npz") == 0;
}

Result<std::map<std::string, io::DataSpec>> AssignInputFiles(const std::string& flag,
                                                             const std::vector<std::string>& values,
                                                             const io::DataSpec& spec,
                                                             const std::vector<IoInfo>& inputs,
                                                             const std::vector<bool>& fed_back) {
  std::map<std::string, io::DataSpec> specs;
  std::string name, file;
  const bool pairs = !values.empty() && SplitPair(values[0], inputs, &name, &file);
  if (!pairs) {
    if (values.size() != 1) {
      return InvalidArgument(flag + ": give one file, or NAME=FILE for each model input");
    }
    const bool npz = values[0].size() > 4 && values[0].compare(values[0].size() - 4, 4, ".npz") == 0;
    int needed = 0;
    for (size_t i = 0; i < inputs.size(); ++i) needed += fed_back[i] ? 0 : 1;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (fed_back[i]) continue;
      io::DataSpec s = spec;
      s.path = values[0];
      if (needed > 1) {
        if (!npz) {
          return InvalidArgument(
              flag + " " + values[0] + ": the model has " + std::to_string(needed) +
              " inputs to feed: give an .npz with one member per input name, or NAME=FILE pairs");
        }
        s.npz_key = inputs[i].name;
      }
      specs[inputs[i].name] = s;
    }
    return specs;
  }
  for (const std::string& v : values) {
    if (!SplitPair(v, inputs, &name, &file)) {
      return InvalidArgument(flag + " " + v + ": not NAME=FILE with NAME a model input");
    }
    if (specs.count(name)) return InvalidArgument(flag + ": input '" + name + "' given twice");
    io::DataSpec s = spec;
    s.path = file;
    specs[name] = s;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const bool given = specs.count(inputs[i].name) != 0;
    if (fed_back[i] && given) {
      return InvalidArgument(flag + ": input '" + inputs[i].name +
                             "' is fed back (--feedback); its first value is zeros: give no data for it");
    }
    if (!fed_back[i] && !given) return InvalidArgument(flag + ": no data for input '" + inputs[i].name + "'");
  }
  return specs;
}

std::vector<std::string> InputFilesOf(const std::vector<std::string>& calib) {
  std::vector<std::string> files;
  for (const std::string& v : calib) {
    files.push_back(v);
    const size_t eq = v.find('=');
    if (eq != std::string::npos) files.push_back(v.substr(eq + 1));  // NAME=FILE (or a name with '=')
  }
  return files;
}

Result<std::vector<StateFeedback>> ParseFeedback(const std::vector<std::string>& values) {
  std::vector<StateFeedback> out;
  for (const std::string& v : values) {
    const size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
      return InvalidArgument("--feedback " + v + ": expected OUTPUT=INPUT");
    }
    out.push_back({v.substr(0, eq), v.substr(eq + 1)});
  }
  return out;
}

Result<CalibrationBatches> OpenCalibration(const CalibArgs& args, const Model& model,
                                           const std::vector<StateFeedback>& feedback,
                                           std::unique_ptr<ProgressBar>* bar) {
  const std::vector<IoInfo> inputs = model.inputs();
  std::vector<bool> fed_back(inputs.size(), false);
  for (const StateFeedback& f : feedback) {
    for (size_t i = 0; i < inputs.size(); ++i) fed_back[i] = fed_back[i] || inputs[i].name == f.input;
  }
  QF_ASSIGN_OR_RETURN(auto specs, AssignInputFiles("--calib", args.calib, args.spec, inputs, fed_back));
  auto owned = std::make_shared<std::vector<std::shared_ptr<io::Dataset>>>();
  std::vector<quant::InputFeed> feeds(inputs.size());
  int64_t samples = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (fed_back[i]) {
      QF_ASSIGN_OR_RETURN(feeds[i].constant, ZeroState(inputs[i], args.batch));
      continue;
    }
    const io::DataSpec& spec = specs.at(inputs[i].name);
    const bool scalar = inputs[i].dims.empty();
    Result<std::unique_ptr<io::Dataset>> data =
        scalar ? io::OpenDataset(spec, {}, inputs[i].dtype) : io::OpenDatasetForInput(spec, inputs[i]);
    if (!data.ok()) return data.status();
    if (scalar) {
      QF_ASSIGN_OR_RETURN(feeds[i].constant, ScalarOf(**data, inputs[i], spec.path));
      continue;
    }
    feeds[i].samples = data->get();
    samples = samples < 0 ? (*data)->size() : samples;
    owned->push_back(std::move(*data));
  }
  *bar = std::make_unique<ProgressBar>("calibrate", std::min(args.count, std::max<int64_t>(samples, 0)));
  quant::CalibrateOptions co;
  co.count = args.count;
  co.batch = args.batch;
  co.progress = [b = bar->get()](int64_t done, int64_t) { b->Update(done); };
  const std::string source = args.calib.size() == 1 ? args.calib[0] : "--calib";
  Result<quant::BatchSource> next = quant::DatasetBatches(model.graph(), std::move(feeds), co);
  if (!next.ok()) return next.status().WithContext(source + ": ");
  return CalibrationBatches([owned, next = std::move(*next)]() { return next(); });
}

}  // namespace qforge::cli
