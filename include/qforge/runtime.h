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
  // Reserved for the optimized runtime; the reference runtime is single-threaded.
  int threads = 1;
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

 private:
  explicit Session(std::unique_ptr<runtime::Interpreter> interp);
  std::unique_ptr<runtime::Interpreter> interp_;
};

}  // namespace qforge
