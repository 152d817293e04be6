#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/regular_file.h"
#include "io/temporary_file.h"

namespace qforge::io {

namespace {

// Follows `path` through symlinks (like `cp` and `>` do) to the file to
// replace or create. Sets *st to that file's stat, or st_mode 0 when it does
// not exist yet.
Result<std::string> ResolveDestination(const std::string& path, struct stat* st) {
  namespace fs = std::filesystem;
  std::string p = path;
  for (int hops = 0; hops < 40; ++hops) {  // 40: Linux's own limit (ELOOP)
    if (::lstat(p.c_str(), st) != 0) {
      if (errno != ENOENT) return IoError(path + ": " + std::strerror(errno));
      st->st_mode = 0;
      return p;
    }
    if (!S_ISLNK(st->st_mode)) return p;
    std::error_code ec;
    fs::path target = fs::read_symlink(p, ec);
    if (ec) return IoError(path + ": " + ec.message());
    p = target.is_absolute() ? target.string() : (fs::path(p).parent_path() / target).string();
  }
  return InvalidArgument(path + ": too many levels of symbolic links");
}

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view bytes) {
  struct stat st {};
  QF_ASSIGN_OR_RETURN(std::string target, ResolveDestination(path, &st));
  const bool replacing = st.st_mode != 0;
  if (replacing && !S_ISREG(st.st_mode)) {
    return InvalidArgument(path + ": is " + FileKind(st.st_mode) +
                           "; qforge writes only regular files and never replaces anything else");
  }
  const std::filesystem::path parent = std::filesystem::path(target).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  RemoveStaleTemporaries(dir);
  QF_ASSIGN_OR_RETURN(TemporaryFile tmp, TemporaryFile::Create(dir, path));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(tmp.fd(), bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError(path + ": write failed: " + std::strerror(errno));
    }
    done += static_cast<size_t>(w);
  }
  if (replacing) {
    // The replaced file's owner and mode carry over (a 0600 file stays 0600).
    // Changing the owner needs privileges a normal user lacks; then the file is
    // simply ours, as it would be after any edit-and-rename.
    if ((st.st_uid != ::geteuid() || st.st_gid != ::getegid()) &&
        ::fchown(tmp.fd(), st.st_uid, st.st_gid) != 0 && errno != EPERM) {
      return IoError(path + ": cannot keep the file's owner: " + std::strerror(errno));
    }
    if (::fchmod(tmp.fd(), st.st_mode & 07777) != 0) {
      return IoError(path + ": cannot keep the file's mode: " + std::strerror(errno));
    }
  }
  return tmp.Commit(target);
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
