// A whole file mapped read-only into memory (mmap PROT_READ, MAP_PRIVATE),
// so readers can use large parts of it (a .tflite model's weight buffers) in
// place instead of copying them.
//
// Why a mapping: the pages are the kernel's page cache, shared with other
// processes reading the same model and never duplicated into the heap.
// PROT_READ makes any write through a view fault at once (a bug, never a
// silent change); MAP_PRIVATE keeps the file unchanged whatever happens.
// The file must not be truncated or rewritten in place while mapped (a read
// past a shrunk end raises SIGBUS); qforge's writers replace files by rename
// (io/atomic_file.h), which leaves an existing mapping intact.
//
// Only regular files are opened (io/regular_file.h: a FIFO would block).
// When mmap is impossible (an empty file, a file system without mmap) the
// file is read into a 64-byte aligned heap buffer instead: callers see the
// same bytes either way, `mapped()` says which.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "qforge/status.h"

namespace qforge::io {

class MappedFile {
 public:
  // Errors name `path`: kNotFound when it cannot be opened, kInvalidArgument
  // for a directory, a FIFO or other non-regular file, or a file over `max_bytes` (the bound an untrusted
  // file may make us map or allocate), kIoError when reading fails.
  static Result<std::shared_ptr<const MappedFile>> Open(const std::string& path,
                                                        size_t max_bytes = size_t{4} << 30);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  const char* data() const { return static_cast<const char*>(data_); }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // True for a mapping, false for the heap copy of the fallback.
  bool mapped() const { return mapped_; }

  // Tells the kernel that the pages wholly inside [offset, offset + size) are
  // not needed now, so they stop counting as resident (madvise DONTNEED).
  // Safe for data that is read again later: an unmodified private mapping
  // refaults the same bytes from the page cache. A no-op for the heap copy.
  void Release(size_t offset, size_t size) const;
  // Release() of the range `bytes` (a sub-view of bytes()).
  void Release(std::string_view bytes) const;

  // Release() of every mapping alive in the process. The runtime calls it
  // once it has packed a model's weights: constants it reads in place fault
  // their pages back in, and the rest (weights only the packing read) stop
  // counting as resident. Thread-safe.
  static void ReleaseAll();

 private:
  MappedFile() = default;

  std::string path_;
  void* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
};

}  // namespace qforge::io
