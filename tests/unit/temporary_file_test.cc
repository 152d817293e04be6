// The temporary files behind atomic writes: SIGTERM/SIGINT remove them (the
// signal is sent to a child process holding one open, so the moment is
// exact), an ignored signal stays ignored, and WriteFileAtomic refuses to
// replace anything but a regular file even when no CLI check ran first.
#include "io/temporary_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "io/atomic_file.h"

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("qforge_tmpfile_" + name + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

size_t Count(const std::string& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// Forks a child that installs the clean-up handler (after ignoring
// `ignored`, when not 0), opens a temporary file in `dir`, reports it through
// a pipe and waits for signals; returns its pid once the file exists.
pid_t ChildHoldingATemporary(const std::string& dir, int ignored) {
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (ignored != 0) std::signal(ignored, SIG_IGN);
    InstallTemporaryFileCleanup();
    Result<TemporaryFile> tmp = TemporaryFile::Create(dir, dir + "/out");
    const char ok = tmp.ok() ? 1 : 0;
    if (::write(ready[1], &ok, 1) != 1 || !ok) ::_exit(3);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char ok = 0;
  const bool started = ::read(ready[0], &ok, 1) == 1 && ok == 1;
  ::close(ready[0]);
  return started ? pid : -1;
}

class TemporaryFileSignalTest : public ::testing::TestWithParam<int> {};

TEST_P(TemporaryFileSignalTest, SignalRemovesTheTemporaryAndStillKills) {
  const int sig = GetParam();
  const std::string dir = FreshDir("signal" + std::to_string(sig));
  const pid_t pid = ChildHoldingATemporary(dir, 0);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(Count(dir), 1u);
  const std::string name = fs::directory_iterator(dir)->path().filename().string();
  EXPECT_EQ(name.rfind(".qforge-" + std::to_string(pid) + "-", 0), 0u) << name;
  ASSERT_EQ(::kill(pid, sig), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
  EXPECT_EQ(Count(dir), 0u);
}

INSTANTIATE_TEST_SUITE_P(Signals, TemporaryFileSignalTest, ::testing::Values(SIGTERM, SIGINT, SIGHUP));

TEST(TemporaryFile, AnIgnoredSignalStaysIgnored) {
  const std::string dir = FreshDir("ignored");
  const pid_t pid = ChildHoldingATemporary(dir, SIGINT);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  ::usleep(100 * 1000);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "SIGINT was ignored before; it must stay ignored";
  EXPECT_EQ(Count(dir), 1u);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(Count(dir), 0u);
}

TEST(WriteFileAtomic, RefusesAFifoWithoutOpeningIt) {
  const std::string dir = FreshDir("fifo");
  const std::string fifo = dir + "/out.onnx";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Status s = WriteFileAtomic(fifo, "bytes");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_NE(s.message().find("a FIFO"), std::string::npos) << s.message();
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_EQ(Count(dir), 1u);
}

TEST(WriteFileAtomic, SymlinkToADirectoryIsRefused) {
  const std::string dir = FreshDir("dirlink");
  fs::create_directory(dir + "/d");
  fs::create_directory_symlink("d", dir + "/link");
  Status s = WriteFileAtomic(dir + "/link", "bytes");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_TRUE(fs::is_symlink(dir + "/link"));
  EXPECT_EQ(Count(dir + "/d"), 0u);
}

}  // namespace
}  // namespace qforge::io
