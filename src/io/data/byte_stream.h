// A forward-only source of bytes: a gzip'd (or plain) file, or a member of a
// zip archive. Compressed data sets are read through one, so that a small
// file that inflates to gigabytes is only ever inflated as far as the
// samples asked for.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "qforge/status.h"

namespace qforge::io {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to `n` bytes; fewer only at the end of the data. Corrupt data
  // (including a checksum that does not match, found at the end) is an
  // InvalidArgument naming the file.
  virtual Result<size_t> Read(void* dst, size_t n) = 0;
};

// Opens the stream afresh at its first byte (to read backwards).
using ByteStreamOpener = std::function<Result<std::unique_ptr<ByteStream>>()>;

}  // namespace qforge::io
