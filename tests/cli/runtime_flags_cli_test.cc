// --threads, --reference and bench --profile as a user runs them: the
// optimized runtime and the reference runtime give the same accuracy on real
// Fashion-MNIST images, and the profile names the kernel of every node.
#include <gtest/gtest.h>

#include <string>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kCalib = SourcePath("models/calib/fashion_train100.npy");
const std::string kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const std::string kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

// "top-1: 91.20%" -> 91.20
double Top1(const std::string& out) {
  const size_t at = out.find("top-1:");
  return at == std::string::npos ? -1.0 : std::stod(out.substr(at + 6));
}

TEST(RuntimeFlagsCli, OptimizedAndReferenceAgreeOnAccuracy) {
  const std::string dir = TempDir("runtime_flags_eval");
  const std::string q = dir + "/resnet_int8.onnx";
  ASSERT_EQ(
      RunCli("quantize " + SourcePath("models/resnet.onnx") + " -o " + q + " --mode int8 --calib " + kCalib)
          .exit_code,
      0);
  const std::string data = " --data " + kImages + " --labels " + kLabels + " --limit 400 --batch 100";
  CliResult fast = RunCli("eval " + q + data + " --threads 2");
  CliResult ref = RunCli("eval " + q + data + " --reference");
  ASSERT_EQ(fast.exit_code, 0) << fast.err;
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  // Float-requantizing kernels may move a logit by a step: at most two of
  // 400 images (0.25 points each) may change class.
  EXPECT_GT(Top1(fast.out), 80.0) << fast.out;
  EXPECT_NEAR(Top1(fast.out), Top1(ref.out), 0.5) << fast.out << ref.out;
}

// The same commands on the small CNN and 50 images: what the sanitizer run
// executes in place of the test above (scripts/test.sh leaves that one to
// the Release run, where its 400 reference ResNet images take seconds).
TEST(RuntimeFlagsCli, EvalRunsThreadedAndOnTheReference) {
  const std::string data = " --data " + kImages + " --labels " + kLabels + " --limit 50 --batch 25";
  CliResult fast = RunCli("eval " + SourcePath("models/cnn.onnx") + data + " --threads 2");
  CliResult ref = RunCli("eval " + SourcePath("models/cnn.onnx") + data + " --reference");
  ASSERT_EQ(fast.exit_code, 0) << fast.err;
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  EXPECT_GT(Top1(fast.out), 70.0) << fast.out;
  // Float kernels differ in rounding: one image in 50 may change class.
  EXPECT_NEAR(Top1(fast.out), Top1(ref.out), 2.0) << fast.out << ref.out;
}

TEST(RuntimeFlagsCli, BenchProfileNamesTheKernelOfEveryNode) {
  CliResult r =
      RunCli("bench " + SourcePath("models/mobilenet.onnx") + " --threads 1 --runs 3 --batch 0 --profile");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("profile at batch 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(Conv): conv2d_"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("_xnnpack"), std::string::npos) << r.out;
  CliResult ref =
      RunCli("bench " + SourcePath("models/mobilenet.onnx") + " --reference --runs 2 --batch 0 --profile");
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  EXPECT_NE(ref.out.find("(Conv): reference"), std::string::npos) << ref.out;
  EXPECT_EQ(ref.out.find("_xnnpack"), std::string::npos) << ref.out;
}

TEST(RuntimeFlagsCli, ZeroThreadsIsAUsageError) {
  CliResult r = RunCli("bench " + SourcePath("models/cnn.onnx") + " --threads 0");
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace qforge::testing
