// The runtime flags every command that runs a model takes: --threads and
// --reference (the portable reference kernels, the numerical oracle); and
// --memory-limit, which every command takes.
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

// Adds --memory-limit SIZE (bytes, or with a K/M/G/T suffix: 8G) to every
// subcommand of `app`; parsing it sets the process memory budget
// (SetMemoryLimit). Every command loads a model or data.
void AddMemoryLimitFlag(CLI::App* app);

}  // namespace qforge::cli
