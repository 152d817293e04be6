// The CLI used as a user would on the bundled example model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const std::string kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

TEST(CliUsage, InspectReportsIoOpsParametersAndArena) {
  CliResult r = RunCli("inspect " + kModel);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input"), std::string::npos);
  EXPECT_NE(r.out.find("Conv"), std::string::npos);
  EXPECT_NE(r.out.find("float32"), std::string::npos);
  EXPECT_NE(r.out.find("parameters:"), std::string::npos);
  EXPECT_NE(r.out.find("activation arena (batch 1):"), std::string::npos);
}

TEST(CliUsage, RunWritesNpyOutputForARawBatch) {
  std::string dir = TempDir("run_raw");
  // Three 1x28x28 float32 samples in a headerless file: one batch of 3.
  {
    std::ofstream f(dir + "/x.raw", std::ios::binary);
    for (int i = 0; i < 3 * 28 * 28; ++i) {
      float v = static_cast<float>(i % 255) / 255.0f;
      f.write(reinterpret_cast<const char*>(&v), 4);
    }
  }
  CliResult r = RunCli("run " + kModel + " --input " + dir + "/x.raw --shape 1 28 28 --output " + dir + "/logits.npy");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(std::filesystem::exists(dir + "/logits.npy"));
  EXPECT_GE(std::filesystem::file_size(dir + "/logits.npy"), 3u * 10 * 4);
  EXPECT_NE(r.out.find("[3, 10]"), std::string::npos) << r.out;
}

TEST(CliUsage, EvalPrintsTop1AndTop5) {
  CliResult r = RunCli("eval " + kModel + " --data " + kImages + " --labels " + kLabels + " --limit 500 --batch 50");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("samples: 500"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("top-1:"), std::string::npos);
  EXPECT_NE(r.out.find("top-5:"), std::string::npos);
}

}  // namespace
}  // namespace qforge::testing
