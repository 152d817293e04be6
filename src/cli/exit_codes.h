// Stable process exit codes of the qforge CLI, one per StatusCode, so that
// scripts can tell a bad flag from a corrupt model from an unsupported op.
#pragma once

#include "qforge/status.h"

namespace qforge::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;         // bad flags, bad data or shapes (InvalidArgument)
inline constexpr int kExitInvalidModel = 3;  // the model file breaks its format's rules
inline constexpr int kExitUnsupported = 4;   // valid but not implemented (op, attribute, dtype)
inline constexpr int kExitNotFound = 5;      // missing file or name
inline constexpr int kExitIo = 6;            // read/write failure
inline constexpr int kExitLimit = 7;         // over the memory budget or a work limit (ResourceExhausted)
inline constexpr int kExitInternal = 70;     // a qforge bug (EX_SOFTWARE)

int ExitCodeFor(const Status& s);

// Prints "qforge: <message>" to stderr (plus the status code name with
// --verbose) and returns the exit code.
int ReportError(const Status& s);

void SetVerbose(bool verbose);

}  // namespace qforge::cli
