#include "cli/runtime_flags.h"

#include <string>

#include "qforge/limits.h"

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

void AddMemoryLimitFlag(CLI::App* app) {
  const std::string help =
      "Most memory one model (weights, constants, activations) or one data set may take: " +
      std::to_string(kDefaultMemoryLimitBytes >> 30) + "G unless given";
  for (CLI::App* sub : app->get_subcommands({})) {
    sub->add_option_function<uint64_t>(
           "--memory-limit", [](uint64_t bytes) { SetMemoryLimit(bytes); }, help)
        ->type_name("SIZE")
        // Before the conversion, which would wrap "-5" to a huge unsigned size.
        ->check(CLI::Validator(
            [](std::string& v) { return v.rfind('-', 0) == 0 ? std::string("must not be negative") : ""; },
            "", "not negative"))
        ->transform(CLI::AsSizeValue(false))
        ->check(
            CLI::Validator([](std::string& v) { return v == "0" ? std::string("must be more than 0") : ""; },
                           "", "positive"));
  }
}

}  // namespace qforge::cli
