#include "cli/input_shapes.h"

#include <algorithm>
#include <cctype>

namespace qforge::cli {

namespace {

std::vector<std::string>& Args() {
  static std::vector<std::string> args;
  return args;
}

// "1,3,224,224" or "1x3x224x224"; every dim a positive integer.
Result<std::vector<int64_t>> ParseDims(const std::string& arg, const std::string& text) {
  std::vector<int64_t> dims;
  std::string cur;
  auto flush = [&]() -> Status {
    if (cur.empty() || cur.size() > 12 ||
        !std::all_of(cur.begin(), cur.end(), [](unsigned char c) { return std::isdigit(c) != 0; }) ||
        std::stoll(cur) <= 0)
      return InvalidArgument("--input-shape '" + arg +
                             "': dims must be positive integers separated by ',' or 'x'");
    dims.push_back(std::stoll(cur));
    cur.clear();
    return Status::Ok();
  };
  for (char c : text) {
    if (c == ',' || c == 'x') {
      QF_RETURN_IF_ERROR(flush());
    } else {
      cur += c;
    }
  }
  QF_RETURN_IF_ERROR(flush());
  return dims;
}

Status CheckAgainst(const std::string& arg, const IoInfo& info, const std::vector<int64_t>& dims) {
  const std::string where = "--input-shape " + arg + ": input '" + info.name + "' ";
  if (dims.size() != info.dims.size()) {
    return InvalidArgument(where + "has rank " + std::to_string(info.dims.size()) + ", not " +
                           std::to_string(dims.size()));
  }
  for (size_t d = 0; d < dims.size(); ++d) {
    if (info.dims[d] >= 0 && info.dims[d] != dims[d]) {
      return InvalidArgument(where + "dim " + std::to_string(d) + " is fixed at " +
                             std::to_string(info.dims[d]));
    }
  }
  return Status::Ok();
}

}  // namespace

void AddInputShapeFlag(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands({})) {
    sub->add_option_function<std::vector<std::string>>(
           "--input-shape", [](const std::vector<std::string>& v) { Args() = v; },
           "Shape of an input with dynamic dims, NAME=DIMS (e.g. input=1,1280; repeat per input), or DIMS "
           "for each input in order")
        ->type_name("[NAME=]DIMS");
  }
}

Result<std::vector<std::vector<int64_t>>> GivenInputShapes(const std::vector<IoInfo>& infos) {
  std::vector<std::vector<int64_t>> shapes(infos.size());
  const std::vector<std::string>& args = Args();
  const auto named = [](const std::string& a) { return a.find('=') != std::string::npos; };
  const size_t num_named = static_cast<size_t>(std::count_if(args.begin(), args.end(), named));
  if (num_named != 0 && num_named != args.size()) {
    return InvalidArgument(
        "--input-shape: give every value as NAME=DIMS, or every value as DIMS in input order");
  }
  if (num_named == 0 && !args.empty() && args.size() != infos.size()) {
    return InvalidArgument("the model takes " + std::to_string(infos.size()) + " input(s), got " +
                           std::to_string(args.size()) + " --input-shape value(s)");
  }
  for (size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    size_t i = a;
    std::string dims_text = arg;
    if (num_named != 0) {
      // Dims never hold '=', so the last one ends the name.
      const size_t eq = arg.rfind('=');
      const std::string name = arg.substr(0, eq);
      dims_text = arg.substr(eq + 1);
      auto it = std::find_if(infos.begin(), infos.end(), [&](const IoInfo& in) { return in.name == name; });
      if (it == infos.end()) {
        std::string names;
        for (const IoInfo& in : infos) names += (names.empty() ? "" : ", ") + in.name;
        return InvalidArgument("--input-shape " + arg + ": the model has no input '" + name +
                               "' (inputs: " + names + ")");
      }
      i = static_cast<size_t>(it - infos.begin());
      if (!shapes[i].empty()) return InvalidArgument("--input-shape: input '" + name + "' is given twice");
    }
    QF_ASSIGN_OR_RETURN(shapes[i], ParseDims(arg, dims_text));
    QF_RETURN_IF_ERROR(CheckAgainst(arg, infos[i], shapes[i]));
  }
  return shapes;
}

Result<Model> LoadModel(const std::string& path) {
  QF_ASSIGN_OR_RETURN(Model model, Model::Load(path));
  const std::vector<IoInfo> infos = model.inputs();
  Result<std::vector<std::vector<int64_t>>> shapes = GivenInputShapes(infos);
  if (!shapes.ok()) return shapes.status().WithContext(path + ": ");
  for (size_t i = 0; i < infos.size(); ++i) {
    if ((*shapes)[i].empty()) continue;
    QF_RETURN_IF_ERROR(model.PinInputShape(infos[i].name, (*shapes)[i]).WithContext(path + ": "));
  }
  return model;
}

}  // namespace qforge::cli
