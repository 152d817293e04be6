// Runs the qforge binary as a user would and captures exit code and output.
#pragma once

#include <string>

namespace qforge::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `args` is appended to the binary path as-is (shell-quoted by the caller).
CliResult RunCli(const std::string& args);

// A fresh empty directory under the build tree for one test.
std::string TempDir(const std::string& name);

}  // namespace qforge::testing
