#include "cli/runtime_flags.h"

namespace qforge::cli {

void AddRuntimeFlags(CLI::App* sub, RuntimeFlags* flags) {
  sub->add_option("--threads", flags->threads, "Threads that split the work inside ops (default: every core)")
      ->check(CLI::Range(1, 1024));
  sub->add_flag("--reference", flags->reference,
                "Run the portable reference kernels on the graph as given (the numerical oracle; slow)");
}

SessionOptions ToSessionOptions(const RuntimeFlags& flags) {
  SessionOptions o;
  o.threads = flags.threads;
  o.reference = flags.reference;
  return o;
}

}  // namespace qforge::cli
