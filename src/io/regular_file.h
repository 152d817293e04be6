// Opening an input file the one way every reader does (models, data,
// images, stats, labels): read-only, and only if it is a regular file.
//
// Why: a FIFO (or a terminal, a socket, /dev/zero) given where a file is
// expected would block forever in open() or read() or never end. The file is
// opened with O_NONBLOCK, so opening a FIFO returns at once, then fstat on
// the descriptor (no window for a swap between check and use) refuses
// anything that is not a regular file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "qforge/status.h"

namespace qforge::io {

class ReadOnlyFile {
 public:
  // kNotFound when `path` cannot be opened; kInvalidArgument naming it for a
  // directory, a FIFO or any other file that is not a regular file.
  static Result<ReadOnlyFile> Open(const std::string& path);

  ReadOnlyFile(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile& operator=(ReadOnlyFile&& other) noexcept;
  ~ReadOnlyFile();

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }  // at open
  const std::string& path() const { return path_; }

  // Reads up to `n` bytes at `offset` (pread, EINTR retried); fewer only at
  // the end of the file. kIoError naming the file when reading fails.
  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t n) const;

  // Hands the descriptor to a library that closes it (zip_fdopen, gzdopen).
  int Release();

 private:
  ReadOnlyFile() = default;

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace qforge::io
