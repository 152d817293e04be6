// Shared by every fuzz target: the memory budget, the rule every error must
// follow, and a scratch file for readers that only take paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "qforge/status.h"

namespace qforge::fuzz {

// The memory budget the targets run under (qforge/limits.h): far below
// libFuzzer's -rss_limit_mb, so a file claiming a huge tensor must be refused
// as kResourceExhausted, not allocated. 8 MiB rather than more: the refusal
// path is the same at any limit, and an input that fills a larger budget
// spends seconds of sanitized reference-kernel time per execution (a 256 MiB
// budget slowed the ONNX soak from 400 to 60 executions a second; at 32 MiB
// a Pad/Expand/Tile chain of 3M elements took 2 s of CPU, a timeout on a
// loaded machine).
inline constexpr uint64_t kFuzzMemoryLimitBytes = uint64_t{8} << 20;

// Sets the memory budget (call from LLVMFuzzerInitialize).
void InitFuzzLimits();

// Traps when `s` is kInternal (CLI exit 70, "a qforge bug"): a hostile file
// must never produce it. `step` names the call in the crash log.
void RequireNotInternal(const Status& s, const char* step);

// Traps when a reader's error `s` is kInternal or does not name `source`:
// every error about a file must say which file.
void CheckFileError(const Status& s, std::string_view source);

// Writes `bytes` to file `name` in this process's scratch folder (created on
// first use, removed at exit) and returns its path: for readers that only
// take paths and choose the format by the name.
std::string WriteScratchFile(std::string_view bytes, const std::string& name);

}  // namespace qforge::fuzz
