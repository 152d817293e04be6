#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "io/regular_file.h"

namespace qforge::io {

Status WriteFileAtomic(const std::string& path, std::string_view bytes) {
  namespace fs = std::filesystem;
  fs::path dest(path);
  fs::path dir = dest.has_parent_path() ? dest.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + dest.filename().string() + ".tmpXXXXXX")).string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0) return IoError(path + ": cannot create a temporary file: " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      return IoError(path + ": write failed: " + std::strerror(err));
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return IoError(path + ": write failed: " + std::strerror(err));
  }
  ::chmod(tmpl.c_str(), 0644);
  if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return IoError(path + ": cannot rename temporary file into place: " + std::strerror(err));
  }
  return Status::Ok();
}

Status ReadFile(const std::string& path, std::string* out, size_t max_bytes) {
  QF_ASSIGN_OR_RETURN(ReadOnlyFile f, ReadOnlyFile::Open(path));
  if (f.size() > max_bytes) {
    return InvalidArgument(path + ": file is " + std::to_string(f.size()) + " bytes, over the limit of " +
                           std::to_string(max_bytes));
  }
  out->resize(static_cast<size_t>(f.size()));
  QF_ASSIGN_OR_RETURN(size_t got, f.ReadAt(0, out->data(), out->size()));
  if (got != out->size()) return IoError(path + ": read failed: file shrank while being read");
  return Status::Ok();
}

}  // namespace qforge::io
