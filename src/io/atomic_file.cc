#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

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
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return InvalidArgument(path + ": is a directory, expected a file");
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound(path + ": cannot open: " + std::strerror(errno));
  f.seekg(0, std::ios::end);
  std::streamoff size = f.tellg();
  if (size < 0) return IoError(path + ": cannot determine file size");
  if (static_cast<uint64_t>(size) > max_bytes) {
    return InvalidArgument(path + ": file is " + std::to_string(size) + " bytes, over the limit of " +
                           std::to_string(max_bytes));
  }
  f.seekg(0);
  out->resize(static_cast<size_t>(size));
  if (size > 0 && !f.read(out->data(), size)) return IoError(path + ": read failed");
  return Status::Ok();
}

}  // namespace qforge::io
