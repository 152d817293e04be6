#include <cstdio>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "cli/runtime_flags.h"
#include "io/temporary_file.h"

int main(int argc, char** argv) {
  using namespace qforge::cli;
  CLI::App app{"qforge: quantize and run neural networks with integer arithmetic"};
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Show error codes and more detail");
  app.set_version_flag("--version", "qforge 0.1.0");
  Action action;
  RegisterInspect(app, &action);
  RegisterRun(app, &action);
  RegisterEval(app, &action);
  RegisterConvert(app, &action);
  RegisterQuantize(app, &action);
  RegisterBench(app, &action);
  AddMemoryLimitFlag(&app);
  AddInputShapeFlag(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  SetVerbose(verbose);
  // Outputs are written through temporary files; a Ctrl-C or kill must not leave them behind.
  qforge::io::InstallTemporaryFileCleanup();
  return action ? action() : kExitUsage;
}
