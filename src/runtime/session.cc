#include <cstdio>

#include "ir/op_kind.h"
#include "qforge/runtime.h"
#include "runtime/interpreter.h"
#include "runtime/optimize.h"

namespace qforge {

Session::Session(std::unique_ptr<runtime::Interpreter> interp) : interp_(std::move(interp)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

Result<Session> Session::Create(const Model& model, SessionOptions options) {
  if (options.reference) {
    runtime::InterpreterOptions io;
    io.profile = options.profile;
    return Session(std::make_unique<runtime::Interpreter>(model.shared_graph(), io));
  }
  auto graph = runtime::OptimizeForRuntime(*model.shared_graph());
  if (!graph.ok()) return graph.status();
  runtime::InterpreterOptions io;
  io.optimized = true;
  io.threads = options.threads;
  io.profile = options.profile;
  io.release_packed_weights = true;  // the graph is the session's own copy
  return Session(std::make_unique<runtime::Interpreter>(std::move(*graph), io));
}

Result<std::vector<Tensor>> Session::Run(std::span<const Tensor> inputs) { return interp_->Run(inputs); }

size_t Session::arena_bytes() const { return interp_->arena_bytes(); }

int Session::threads() const { return interp_->threads(); }

std::vector<std::string> Session::KernelReport() const {
  const ir::Graph& g = interp_->graph();
  const std::vector<std::string> names = interp_->KernelNames();
  const std::vector<double>& ms = interp_->NodeTimes();
  const int runs = interp_->runs_since_prepare();
  std::vector<std::string> lines;
  for (size_t n = 0; n < g.nodes.size() && n < names.size(); ++n) {
    const ir::Node& node = g.nodes[n];
    std::string line;
    if (runs > 0 && n < ms.size() && ms[n] > 0) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%9.3f ms  ", ms[n] / runs);
      line = buf;
    }
    lines.push_back(line + g.Describe(node) + ": " + (names[n].empty() ? "reference" : names[n]));
  }
  return lines;
}

}  // namespace qforge
