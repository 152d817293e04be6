// Running a model.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "qforge/model.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge {

namespace runtime {
class Interpreter;
}

struct SessionOptions {
  // Threads that split the work inside ops; <= 0 uses every core available to
  // the process. Sessions run in parallel by the caller do not oversubscribe:
  // while one Run uses its pool, Runs of other sessions use their calling
  // thread only.
  int threads = 0;
  // Run every op with the portable reference kernels (the numerical oracle)
  // on the graph as given, instead of the optimized runtime (runtime graph
  // passes, NHWC, optimized kernels chosen by CPU features).
  bool reference = false;
  // Time every node (Session::KernelReport then shows milliseconds per run).
  bool profile = false;
};

// A prepared model. Not thread-safe: use one Session per thread.
class Session {
 public:
  static Result<Session> Create(const Model& model, SessionOptions options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // Inputs in the order of model.inputs(); returns outputs in the order of
  // model.outputs(). Shapes may change between calls (batch size, say); the
  // session re-plans when they do.
  Result<std::vector<Tensor>> Run(std::span<const Tensor> inputs);

  // Bytes of the activation arena planned for the last input shapes.
  size_t arena_bytes() const;
  // Threads the session's pool uses.
  int threads() const;
  // One line per node of the executed graph, "node 'x' (Op): kernel" (the
  // reference kernel shows as "reference"), after the first Run; with
  // SessionOptions::profile, prefixed by the node's mean milliseconds per run.
  std::vector<std::string> KernelReport() const;

 private:
  explicit Session(std::unique_ptr<runtime::Interpreter> interp);
  std::unique_ptr<runtime::Interpreter> interp_;
};

}  // namespace qforge
