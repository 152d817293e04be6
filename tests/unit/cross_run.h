// One graph run twice for the optimized-kernel cross-tests: by the reference
// interpreter, and by the optimized one allowed only kernel list entry
// `family` (opt_kernels_test.cc, opt_recurrent_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/interpreter.h"

namespace qforge::testing {

struct CrossRun {
  std::vector<Tensor> reference;
  std::vector<Tensor> optimized;
  std::string kernel;  // the optimized kernel node 0 ran, "" for its reference kernel
  bool ok = false;     // both runs succeeded (a failure is reported, naming `what`)
};

inline CrossRun RunBothWays(ir::Graph graph, const std::vector<Tensor>& inputs, int threads,
                            const std::string& family, const std::string& what) {
  CrossRun r;
  auto g = std::make_shared<const ir::Graph>(std::move(graph));
  runtime::Interpreter ref(g);
  runtime::InterpreterOptions o;
  o.optimized = true;
  o.threads = threads;
  o.only_kernel_family = family;
  runtime::Interpreter opt(g, o);
  auto want = ref.Run(inputs);
  auto got = opt.Run(inputs);
  EXPECT_TRUE(want.ok()) << what << ": " << want.status().message();
  EXPECT_TRUE(got.ok()) << what << ": " << got.status().message();
  if (!want.ok() || !got.ok()) return r;
  r.reference = std::move(want).value();
  r.optimized = std::move(got).value();
  r.kernel = opt.KernelNames()[0];
  r.ok = true;
  return r;
}

}  // namespace qforge::testing
