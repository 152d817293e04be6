#include "cli_runner.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qforge::testing {

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
}  // namespace

std::string TempDir(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(QFORGE_BINARY_DIR) / "test_tmp" / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

CliResult RunCli(const std::string& args) {
  static int counter = 0;
  const std::string dir = TempDir("cli_run_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  const std::string out = dir + "/stdout", err = dir + "/stderr";
  const std::string cmd = std::string(QFORGE_CLI) + " " + args + " >" + out + " 2>" + err + " </dev/null";
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace qforge::testing
