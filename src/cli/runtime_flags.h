// The runtime flags every command that runs a model takes: --threads and
// --reference (the portable reference kernels, the numerical oracle).
#pragma once

#include <CLI/CLI.hpp>

#include "qforge/runtime.h"

namespace qforge::cli {

struct RuntimeFlags {
  int threads = 0;  // 0: every available core
  bool reference = false;
};

void AddRuntimeFlags(CLI::App* sub, RuntimeFlags* flags);
SessionOptions ToSessionOptions(const RuntimeFlags& flags);

}  // namespace qforge::cli
