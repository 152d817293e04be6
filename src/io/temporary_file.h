// The temporary files behind atomic writes (io/atomic_file.h), and what
// removes them when a write does not finish:
// - names are short and fixed, `.qforge-<pid>-<16 hex>.tmp` in the
//   destination's folder, so any legal destination name works (NAME_MAX);
// - a temporary file is registered while it exists, and the handler that
//   InstallTemporaryFileCleanup() puts on SIGINT/SIGTERM/SIGHUP unlinks the
//   registered ones before the process dies of the signal;
// - SIGKILL cannot be caught: the next atomic write into the same folder
//   removes `.qforge-<pid>-*.tmp` regular files that we own and whose pid is
//   no longer alive (RemoveStaleTemporaries).
#pragma once

#include <string>

#include "qforge/status.h"

namespace qforge::io {

// A temporary file open for writing, created with mode 0666 & ~umask. The
// destructor closes and unlinks it unless Commit() renamed it into place.
class TemporaryFile {
 public:
  // Creates the file in `dir` (an existing folder); `dest` only names the
  // destination in error messages.
  static Result<TemporaryFile> Create(const std::string& dir, const std::string& dest);
  TemporaryFile(TemporaryFile&& other) noexcept;
  TemporaryFile& operator=(TemporaryFile&&) = delete;
  ~TemporaryFile();

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  // fsync, close, rename over `target`; the file is no longer ours after.
  Status Commit(const std::string& target);

 private:
  TemporaryFile(std::string path, int fd, int slot, std::string dest)
      : path_(std::move(path)), fd_(fd), slot_(slot), dest_(std::move(dest)) {}
  void Release();

  std::string path_;
  int fd_ = -1;
  int slot_ = -1;  // the signal handler's registry entry, -1 when not registered
  std::string dest_;
};

// Installs the SIGINT/SIGTERM/SIGHUP handler that unlinks the registered
// temporary files and then dies of the signal as before (default action).
// A signal the process ignores stays ignored. For programs (the CLI), not
// for the library: a library must not take over a process's signals.
void InstallTemporaryFileCleanup();

// Removes stale temporaries of dead qforge processes from `dir` (see top).
void RemoveStaleTemporaries(const std::string& dir);

}  // namespace qforge::io
