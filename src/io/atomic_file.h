// Writing output files so that a reader never sees a half-written file and a
// failure leaves nothing behind: write to a temporary file in the same
// folder, fsync, then rename over the destination.
#pragma once

#include <string>
#include <string_view>

#include "qforge/status.h"

namespace qforge::io {

// Writes `bytes` to `path` atomically. Callers that also read files (the
// CLI) refuse an output path equal to one of their inputs before calling.
Status WriteFileAtomic(const std::string& path, std::string_view bytes);

// Reads a whole file; `max_bytes` bounds what an untrusted file may make us allocate.
Status ReadFile(const std::string& path, std::string* out, size_t max_bytes = size_t{4} << 30);

}  // namespace qforge::io
