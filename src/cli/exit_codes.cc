#include "cli/exit_codes.h"

#include <cstdio>

namespace qforge::cli {

namespace {
bool g_verbose = false;
}

void SetVerbose(bool verbose) { g_verbose = verbose; }

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kInvalidModel:
      return kExitInvalidModel;
    case StatusCode::kUnsupported:
      return kExitUnsupported;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kIoError:
      return kExitIo;
    case StatusCode::kResourceExhausted:
      return kExitLimit;
    case StatusCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int ReportError(const Status& s) {
  if (g_verbose) {
    std::fprintf(stderr, "qforge: %s\n", s.ToString().c_str());
  } else {
    std::fprintf(stderr, "qforge: %s\n", s.message().c_str());
  }
  return ExitCodeFor(s);
}

}  // namespace qforge::cli
