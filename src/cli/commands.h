// Each subcommand registers its flags on the CLI11 app and returns the
// function that runs it once parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace qforge::cli {

using Action = std::function<int()>;

void RegisterInspect(CLI::App& app, Action* action);
void RegisterRun(CLI::App& app, Action* action);
void RegisterEval(CLI::App& app, Action* action);
void RegisterConvert(CLI::App& app, Action* action);
void RegisterQuantize(CLI::App& app, Action* action);
void RegisterBench(CLI::App& app, Action* action);

}  // namespace qforge::cli
