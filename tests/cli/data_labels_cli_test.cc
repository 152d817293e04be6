// The label rule through the CLI: exactly one label per sample of the data
// set. Extra labels were once accepted silently (a label file for other
// data paired with this one) while missing ones were an error.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kData = SourcePath("models/calib/fashion_train100.npy");  // 100 samples

// An IDX label file of `n` labels (class i % 10).
std::string WriteLabels(const std::string& dir, int n) {
  std::string idx = {0, 0, 8, 1, 0, 0, static_cast<char>(n >> 8), static_cast<char>(n & 0xff)};
  for (int i = 0; i < n; ++i) idx += static_cast<char>(i % 10);
  const std::string path = dir + "/labels" + std::to_string(n) + "-idx1-ubyte";
  std::ofstream(path, std::ios::binary) << idx;
  return path;
}

TEST(DataLabelsCli, MoreLabelsThanSamplesIsAnErrorLikeFewer) {
  const std::string dir = TempDir("labels_count");
  CliResult ok = RunCli("eval " + kModel + " --data " + kData + " --labels " + WriteLabels(dir, 100));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  for (int n : {99, 101}) {
    const std::string labels = WriteLabels(dir, n);
    CliResult r = RunCli("eval " + kModel + " --data " + kData + " --labels " + labels + " --limit 10");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(labels + ": has " + std::to_string(n) + " labels but"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("100 samples"), std::string::npos) << r.err;
    // The same rule for quantize --eval.
    CliResult q = RunCli("quantize " + kModel + " -o " + dir + "/q.onnx --calib " + kData + " --eval " +
                         kData + " --labels " + labels + " --eval-limit 10");
    EXPECT_EQ(q.exit_code, 2) << q.err;
    EXPECT_NE(q.err.find(std::to_string(n) + " labels but"), std::string::npos) << q.err;
  }
}

}  // namespace
}  // namespace qforge::testing
