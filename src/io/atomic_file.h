// Writing output files so that a reader never sees a half-written file and a
// failure leaves nothing behind: write to a temporary file in the same
// folder (io/temporary_file.h: short name, removed on SIGINT/SIGTERM), fsync,
// then rename over the destination. A symlink is followed and its target
// replaced (the link stays); a replaced file keeps its mode and, where
// permitted, its owner; a new file gets 0666 & ~umask; anything but a regular
// file (device, FIFO, directory, socket) is refused with InvalidArgument.
#pragma once

#include <string>
#include <string_view>

#include "qforge/status.h"

namespace qforge::io {

// Writes `bytes` to `path` atomically. Callers that also read files (the
// CLI: cli/output_paths.h) refuse an output that is one of their inputs first.
Status WriteFileAtomic(const std::string& path, std::string_view bytes);

// Reads a whole file; `max_bytes` bounds what an untrusted file may make us allocate.
Status ReadFile(const std::string& path, std::string* out, size_t max_bytes = size_t{4} << 30);

}  // namespace qforge::io
