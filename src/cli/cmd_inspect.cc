// qforge inspect MODEL: inputs, outputs, ops, parameters by dtype, and the
// activation arena planned for batch 1: the peak activation memory of a run,
// as the optimized runtime (what `qforge run` and `bench` use) and the
// reference runtime plan it.
#include <cstdio>
#include <map>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "ir/graph.h"
#include "qforge/model.h"
#include "runtime/interpreter.h"
#include "runtime/optimize.h"

namespace qforge::cli {

namespace {

struct InspectOptions {
  std::string model;
  bool graph = false;
  int64_t batch = 1;
};

std::string IoLine(const IoInfo& io) {
  std::string s = "  " + io.name + ": " + DataTypeName(io.dtype) + "[";
  for (size_t i = 0; i < io.dims.size(); ++i) {
    if (i) s += ", ";
    if (io.dims[i] >= 0) {
      s += std::to_string(io.dims[i]);
    } else {
      s += i < io.dim_names.size() && !io.dim_names[i].empty() ? io.dim_names[i] : "?";
    }
  }
  s += "]";
  if (io.channels_last) s += " NHWC";
  // int8-only users feed and read integers: r = scale * (q - zero_point).
  if (io.quant.scale.size() == 1 && io.quant.zero_point.size() == 1) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), " scale %.9g zero_point %lld", io.quant.scale[0],
                  static_cast<long long>(io.quant.zero_point[0]));
    s += buf;
  }
  return s;
}

int Inspect(const InspectOptions& opt) {
  Result<Model> model = LoadModel(opt.model);
  if (!model.ok()) return ReportError(model.status());
  const ir::Graph& g = model->graph();
  std::printf("model: %s\n", opt.model.c_str());
  if (g.source_opset > 0) {
    std::printf("graph: %s (source opset %lld)\n", g.name.c_str(), static_cast<long long>(g.source_opset));
  } else {
    std::printf("graph: %s\n", g.name.c_str());
  }
  std::printf("inputs:\n");
  for (const IoInfo& io : model->inputs()) std::printf("%s\n", IoLine(io).c_str());
  std::printf("outputs:\n");
  for (const IoInfo& io : model->outputs()) std::printf("%s\n", IoLine(io).c_str());

  std::map<std::string, int> op_counts;
  for (const ir::Node& n : g.nodes) ++op_counts[std::string(OpName(n.op))];
  std::printf("ops: %zu nodes\n", g.nodes.size());
  for (const auto& [name, count] : op_counts) std::printf("  %-22s %d\n", name.c_str(), count);

  struct Totals {
    int64_t tensors = 0, elements = 0, bytes = 0;
  };
  std::map<std::string, Totals> by_dtype;
  Totals all;
  for (const ir::Value& v : g.values) {
    if (!v.is_constant()) continue;
    Totals& t = by_dtype[DataTypeName(v.constant->dtype())];
    t.tensors += 1;
    t.elements += v.constant->num_elements();
    t.bytes += static_cast<int64_t>(v.constant->byte_size());
    all.tensors += 1;
    all.elements += v.constant->num_elements();
    all.bytes += static_cast<int64_t>(v.constant->byte_size());
  }
  std::printf("parameters: %lld in %lld tensors, %lld bytes\n", static_cast<long long>(all.elements),
              static_cast<long long>(all.tensors), static_cast<long long>(all.bytes));
  for (const auto& [dtype, t] : by_dtype) {
    std::printf("  %-8s %10lld params %12lld bytes (%lld tensors)\n", dtype.c_str(),
                static_cast<long long>(t.elements), static_cast<long long>(t.bytes),
                static_cast<long long>(t.tensors));
  }

  // Plan for the given batch size (a dynamic dim 0 takes it) to report the
  // arena. Any other dynamic dim (an audio length) has no size to plan for
  // until --input-shape gives one.
  std::vector<std::vector<int64_t>> dims;
  std::string unplannable;
  for (const IoInfo& io : model->inputs()) {
    std::vector<int64_t> d = io.dims;
    for (size_t i = 0; i < d.size(); ++i) {
      if (d[i] >= 0) continue;
      d[i] = opt.batch;
      if (i > 0 && unplannable.empty()) {
        const std::string name = i < io.dim_names.size() && !io.dim_names[i].empty() ? io.dim_names[i] : "?";
        unplannable = "input '" + io.name + "' dim " + std::to_string(i) + " (" + name +
                      ") is dynamic: give it with --input-shape " + io.name + "=...";
      }
    }
    dims.push_back(d);
  }
  // One arena holds every activation; the planner reuses memory between
  // tensors whose lifetimes do not overlap, so its size is the peak.
  std::printf(
      "activation arena (batch %lld): planned at load from tensor lifetimes, the peak activation memory\n",
      static_cast<long long>(opt.batch));
  if (!unplannable.empty()) {
    std::printf("  not planned (%s)\n", unplannable.c_str());
    if (opt.graph) std::printf("\n%s", ir::PrintGraph(g).c_str());
    return kExitOk;
  }
  Result<std::shared_ptr<const ir::Graph>> optimized = runtime::OptimizeForRuntime(g);
  Status s = optimized.status();
  if (s.ok()) {
    runtime::InterpreterOptions io;
    io.optimized = true;
    io.threads = 1;
    runtime::Interpreter interp(*optimized, io);
    s = interp.Prepare(dims);
    if (s.ok()) {
      std::printf("  optimized runtime: %zu bytes (%.2f MiB), kernel scratch %zu bytes\n",
                  interp.arena_bytes(), static_cast<double>(interp.arena_bytes()) / (1 << 20),
                  interp.workspace_bytes());
    }
  }
  // Over the memory budget is an error (exit 7), as for run and bench; a
  // graph the optimized runtime cannot plan is only reported.
  if (s.code() == StatusCode::kResourceExhausted) return ReportError(s.WithContext(opt.model + ": "));
  if (!s.ok()) std::printf("  optimized runtime: not planned (%s)\n", s.message().c_str());
  runtime::Interpreter reference(model->shared_graph());
  s = reference.Prepare(dims);
  if (s.ok()) {
    std::printf("  reference runtime: %zu bytes (%.2f MiB)\n", reference.arena_bytes(),
                static_cast<double>(reference.arena_bytes()) / (1 << 20));
  } else if (s.code() == StatusCode::kResourceExhausted) {
    return ReportError(s.WithContext(opt.model + ": "));
  } else {
    std::printf("  reference runtime: not planned (%s)\n", s.message().c_str());
  }
  if (opt.graph) std::printf("\n%s", ir::PrintGraph(g).c_str());
  return kExitOk;
}

}  // namespace

void RegisterInspect(CLI::App& app, Action* action) {
  auto opt = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand("inspect", "Describe a model: I/O, ops, parameters, memory");
  sub->add_option("model", opt->model, "Model file (.onnx or .tflite)")->required();
  sub->add_flag("--graph", opt->graph, "Also print every node with its input/output types");
  sub->add_option("--batch", opt->batch, "Batch size used for dynamic dims when planning memory")
      ->check(CLI::PositiveNumber);
  sub->callback([opt, action] { *action = [opt] { return Inspect(*opt); }; });
}

}  // namespace qforge::cli
