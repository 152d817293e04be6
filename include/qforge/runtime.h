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
  // Run for samples stacked along dim 0 when the model declares a fixed
  // batch b there (converters usually export b = 1): N samples run as
  // ceil(N / b) inferences of b, the last one padded with zeros, and each
  // output's parts are stacked along its dim 0 with the padding rows
  // dropped. Rank-0 inputs (a sample rate) go to every inference as given.
  // Exactly Run when no input declares a fixed dim 0 or the inputs already
  // have it. InvalidArgument when the inputs of rank >= 1 do not hold
  // equally many samples, or an output's dim 0 is not the batch (its rows
  // are not samples: a state, a scalar).
  Result<std::vector<Tensor>> RunStacked(std::span<const Tensor> inputs);

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
