// Output safety (docs/error_handling.md "Output safety"): no command may
// write onto one of its inputs, whatever name reaches it (hard link, symlink,
// ./x), nor replace anything but a regular file; a replaced file keeps its
// mode, any legal name works, and dead processes' temporaries are cleaned up.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

namespace fs = std::filesystem;

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kCalib = SourcePath("models/calib/fashion_train100.npy");

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

// What `convert` writes for kModel (opset 17, folded), to compare outputs with.
std::string Converted() {
  const std::string dir = TempDir("safety_reference");
  EXPECT_EQ(RunCli("convert " + kModel + " -o " + dir + "/ref.onnx").exit_code, 0);
  return ReadBytes(dir + "/ref.onnx");
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void ExpectRefused(const CliResult& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

// The model in a folder of its own, and every other name for it.
struct ModelAliases {
  std::string dir, model, hard, sym, dotted;
  explicit ModelAliases(const std::string& name) : dir(TempDir(name)) {
    model = dir + "/m.onnx";
    fs::copy_file(kModel, model);
    hard = dir + "/hard.json";
    fs::create_hard_link(model, hard);
    sym = dir + "/sym.json";
    fs::create_symlink("m.onnx", sym);
    dotted = dir + "/./sub/../m.onnx";
    fs::create_directory(dir + "/sub");
  }
};

TEST(OutputSafety, SaveCalibStatsOntoTheModelByAnyName) {
  ModelAliases a("safety_stats_onto_model");
  const std::string before = ReadBytes(a.model);
  for (const std::string& stats : {a.model, a.hard, a.sym, a.dotted}) {
    CliResult r = RunCli("quantize " + a.model + " -o " + a.dir + "/q.onnx --mode int8 --calib " + kCalib +
                         " --save-calib-stats " + stats);
    ExpectRefused(r, "same file as the input " + a.model);
    EXPECT_EQ(ReadBytes(a.model), before) << stats;
    EXPECT_FALSE(fs::exists(a.dir + "/q.onnx")) << stats;
  }
}

TEST(OutputSafety, ConvertOntoTheModelByAnyName) {
  ModelAliases a("safety_convert_onto_model");
  const std::string before = ReadBytes(a.model);
  for (const std::string& out : {a.hard, a.sym, a.dotted}) {
    ExpectRefused(RunCli("convert " + a.model + " -o " + out), "refusing to overwrite");
    EXPECT_EQ(ReadBytes(a.model), before) << out;
    EXPECT_TRUE(fs::is_symlink(a.sym));
  }
}

TEST(OutputSafety, EveryInputOfQuantizeIsProtected) {
  const std::string dir = TempDir("safety_quantize_inputs");
  const std::string stats = dir + "/s.json", calib = dir + "/calib.npy";
  fs::copy_file(kCalib, calib);
  ASSERT_EQ(RunCli("quantize " + kModel + " -o " + dir + "/q.onnx --calib " + calib + " --save-calib-stats " +
                   stats)
                .exit_code,
            0);
  const std::string stats_before = ReadBytes(stats), calib_before = ReadBytes(calib);
  fs::create_symlink(stats, dir + "/stats_link");
  ExpectRefused(RunCli("quantize " + kModel + " -o " + dir + "/q2.onnx --load-calib-stats " + stats +
                       " --save-calib-stats " + dir + "/stats_link"),
                "same file as the input " + stats);
  ExpectRefused(RunCli("quantize " + kModel + " -o " + calib + " --calib " + calib),
                "same file as the input");
  ExpectRefused(RunCli("quantize " + kModel + " -o " + dir + "/q3.onnx --mode dynamic --eval " + calib +
                       " --labels " + dir + "/labels.npy --save-calib-stats " + calib),
                "same file as the input " + calib);
  // Two outputs on one file: the second write would destroy the first.
  ExpectRefused(RunCli("quantize " + kModel + " -o " + dir + "/q4.onnx --calib " + calib +
                       " --save-calib-stats " + dir + "/./q4.onnx"),
                "is also the output");
  EXPECT_EQ(ReadBytes(stats), stats_before);
  EXPECT_EQ(ReadBytes(calib), calib_before);
  EXPECT_FALSE(fs::exists(dir + "/q2.onnx") || fs::exists(dir + "/q3.onnx") || fs::exists(dir + "/q4.onnx"));
}

TEST(OutputSafety, RunOutputInsideAnInputFolder) {
  const std::string dir = TempDir("safety_run_folder");
  fs::create_directories(dir + "/images/cls");
  WriteBytes(dir + "/images/cls/a.npy", "not an image, and not to be overwritten");
  ExpectRefused(RunCli("run " + kModel + " --input " + dir + "/images --output " + dir + "/images/cls/a.npy"),
                "same file as the input");
  EXPECT_EQ(ReadBytes(dir + "/images/cls/a.npy"), "not an image, and not to be overwritten");
}

TEST(OutputSafety, NonRegularOutputsAreRefusedNotReplaced) {
  const std::string dir = TempDir("safety_nonregular");
  const std::string fifo = dir + "/fifo.onnx";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  ExpectRefused(RunCli("convert " + kModel + " -o " + fifo), "not a regular file");
  EXPECT_TRUE(fs::is_fifo(fifo));
  fs::create_directory(dir + "/folder.onnx");
  ExpectRefused(RunCli("convert " + kModel + " -o " + dir + "/folder.onnx"), "not a regular file");
  EXPECT_TRUE(fs::is_directory(dir + "/folder.onnx"));
  EXPECT_EQ(Names(dir), (std::vector<std::string>{"fifo.onnx", "folder.onnx"}));
}

TEST(OutputSafety, ReplacedFileKeepsItsModeAndNewFileFollowsUmask) {
  const std::string dir = TempDir("safety_mode");
  const std::string out = dir + "/out.onnx";
  WriteBytes(out, "old");
  fs::permissions(out, fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_EQ(RunCli("convert " + kModel + " -o " + out).exit_code, 0);
  EXPECT_EQ(fs::status(out).permissions(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_NE(ReadBytes(out), "old");

  const mode_t old_mask = ::umask(027);
  CliResult r = RunCli("convert " + kModel + " -o " + dir + "/new.onnx");
  ::umask(old_mask);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/new.onnx").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(OutputSafety, SymlinkOutputReplacesItsTargetAndStays) {
  const std::string dir = TempDir("safety_symlink_out");
  fs::create_directory(dir + "/real");
  WriteBytes(dir + "/real/out.onnx", "old");
  fs::create_symlink("real/out.onnx", dir + "/link.onnx");
  ASSERT_EQ(RunCli("convert " + kModel + " -o " + dir + "/link.onnx").exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(dir + "/link.onnx"));
  EXPECT_EQ(ReadBytes(dir + "/real/out.onnx"), Converted());
  EXPECT_EQ(Names(dir + "/real"), std::vector<std::string>{"out.onnx"});  // no temporary left there
}

TEST(OutputSafety, LongestLegalNameWorks) {
  const std::string dir = TempDir("safety_long_name");
  const std::string name = std::string(245, 'm') + ".onnx";  // 250 bytes; NAME_MAX is 255
  CliResult r = RunCli("convert " + kModel + " -o " + dir + "/" + name);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Names(dir), std::vector<std::string>{name});
  EXPECT_EQ(ReadBytes(dir + "/" + name), Converted());
}

TEST(OutputSafety, TemporariesOfDeadProcessesAreRemovedAtTheNextWrite) {
  const std::string dir = TempDir("safety_stale");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // `child` is now a pid no process has
  const std::string dead = ".qforge-" + std::to_string(child);
  WriteBytes(dir + "/" + dead + "-0123456789abcdef.tmp", "left by SIGKILL");
  WriteBytes(dir + "/.qforge-1-0123456789abcdef.tmp", "pid 1 is alive: maybe writing");
  WriteBytes(dir + "/" + dead + "-notes.txt", "not our name pattern");
  ASSERT_EQ(RunCli("convert " + kModel + " -o " + dir + "/out.onnx").exit_code, 0);
  EXPECT_EQ(Names(dir),
            (std::vector<std::string>{".qforge-1-0123456789abcdef.tmp", dead + "-notes.txt", "out.onnx"}));
}

}  // namespace
}  // namespace qforge::testing
