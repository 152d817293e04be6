#include "io/temporary_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>

namespace qforge::io {

namespace {

constexpr char kPrefix[] = ".qforge-";
constexpr char kSuffix[] = ".tmp";

// The registry the signal handler reads. A slot is claimed (1) by its writer,
// then published (2) once its path is complete; the handler only reads
// published slots, and unlink() is async-signal-safe. More concurrent writes
// than slots still work: the extra ones rely on RemoveStaleTemporaries.
enum SlotState : int { kFree = 0, kClaimed = 1, kPublished = 2 };
struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
constexpr int kSlots = 16;
Slot g_slots[kSlots];

int Register(const std::string& path) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_slots[i].state.compare_exchange_strong(expected, kClaimed)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(kPublished, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void Unregister(int slot) {
  if (slot >= 0) g_slots[slot].state.store(kFree, std::memory_order_release);
}

extern "C" void CleanupAndDie(int sig) {
  for (Slot& s : g_slots) {
    if (s.state.load(std::memory_order_acquire) == kPublished) ::unlink(s.path);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::string RandomHex() {
  static thread_local std::mt19937_64 gen(std::random_device{}());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(gen()));
  return buf;
}

// The pid in `.qforge-<pid>-<anything>.tmp`, or -1 for any other name.
pid_t PidOfTemporary(const char* name) {
  const size_t len = std::strlen(name), pre = sizeof kPrefix - 1, suf = sizeof kSuffix - 1;
  if (len <= pre + suf || std::strncmp(name, kPrefix, pre) != 0 ||
      std::strcmp(name + len - suf, kSuffix) != 0) {
    return -1;
  }
  long long pid = 0;
  size_t i = pre;
  for (; i < len && name[i] >= '0' && name[i] <= '9' && pid < INT_MAX; ++i) pid = pid * 10 + (name[i] - '0');
  if (i == pre || name[i] != '-' || pid <= 0 || pid >= INT_MAX) return -1;
  return static_cast<pid_t>(pid);
}

}  // namespace

Result<TemporaryFile> TemporaryFile::Create(const std::string& dir, const std::string& dest) {
  const std::string base = dir + "/" + kPrefix + std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string path = base + RandomHex() + kSuffix;
    // Registered before it exists: a signal between open() and Register()
    // must not leave the file behind; unlinking a name not yet created is harmless.
    const int slot = Register(path);
    // 0666: open() applies the umask, as for any new file a tool creates.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return TemporaryFile(std::move(path), fd, slot, dest);
    const int err = errno;
    Unregister(slot);
    if (err != EEXIST)
      return IoError(dest + ": cannot create a temporary file in " + dir + ": " + std::strerror(err));
  }
  return IoError(dest + ": cannot create a temporary file in " + dir + ": every name tried exists");
}

TemporaryFile::TemporaryFile(TemporaryFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), slot_(other.slot_), dest_(std::move(other.dest_)) {
  other.fd_ = -1;
  other.slot_ = -1;
  other.path_.clear();
}

TemporaryFile::~TemporaryFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
  Unregister(slot_);
}

void TemporaryFile::Release() {
  path_.clear();
  Unregister(slot_);
  slot_ = -1;
}

Status TemporaryFile::Commit(const std::string& target) {
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return IoError(dest_ + ": write failed: " + std::strerror(err));
  }
  if (::close(fd) != 0) return IoError(dest_ + ": write failed: " + std::strerror(errno));
  if (::rename(path_.c_str(), target.c_str()) != 0) {
    return IoError(dest_ + ": cannot rename the temporary file into place: " + std::strerror(errno));
  }
  Release();
  return Status::Ok();
}

void InstallTemporaryFileCleanup() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = CleanupAndDie;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

void RemoveStaleTemporaries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  const pid_t self = ::getpid();
  const uid_t me = ::geteuid();
  while (const dirent* e = ::readdir(d)) {
    const pid_t pid = PidOfTemporary(e->d_name);
    // A live pid (or one we may not signal: EPERM) may be writing right now.
    if (pid < 0 || pid == self || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == me) {
      ::unlinkat(::dirfd(d), e->d_name, 0);
    }
  }
  ::closedir(d);
}

}  // namespace qforge::io
