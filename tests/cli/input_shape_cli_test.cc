// --input-shape NAME=DIMS as a user meets it: a dynamic audio length
// (tests/data/tflite_audio/frames_dynamic.onnx, [batch, samples]) is pinned
// on inspect, run and convert, and the written .tflite computes what the
// source does; a dim the model fixes and an unknown name are usage errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "cli_runner.h"
#include "io/data/dataset.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kFrames = SourcePath("tests/data/tflite_audio/frames_dynamic.onnx");
const std::string kConv1d = SourcePath("tests/data/tflite_audio/conv1d_stack.onnx");

std::string AudioInput(const std::string& dir) {
  Tensor x(DataType::kFloat32, {1, 128});
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (float& v : x.span<float>()) v = d(rng);
  const std::string path = dir + "/x.npy";
  EXPECT_TRUE(io::WriteNpy(path, x).ok());
  return path;
}

TEST(InputShapeCli, InspectPlansOnlyOncePinned) {
  CliResult r = RunCli("inspect " + kFrames);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find("not planned (input 'x' dim 1 (samples) is dynamic: give it with --input-shape x=...)"),
      std::string::npos)
      << r.out;
  r = RunCli("inspect " + kFrames + " --input-shape x=1,128");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("x: float32[1, 128]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("y: float32[1, 8, 15]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reference runtime: 512 bytes"), std::string::npos) << r.out;
}

TEST(InputShapeCli, ConvertPinnedThenRunsAsTheSource) {
  const std::string dir = TempDir("input_shape_convert");
  const std::string x = AudioInput(dir), tfl = dir + "/frames.tflite";
  CliResult r = RunCli("convert " + kFrames + " -o " + tfl);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  r = RunCli("convert " + kFrames + " -o " + tfl + " --input-shape x=1,128");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli("run " + kFrames + " -i " + x + " -o " + dir + "/want.npy --input-shape x=1,128");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli("run " + tfl + " -i " + x + " -o " + dir + "/got.npy");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto want = io::ReadNpy(dir + "/want.npy"), got = io::ReadNpy(dir + "/got.npy");
  ASSERT_TRUE(want.ok() && got.ok());
  ASSERT_EQ(got->dims(), (std::vector<int64_t>{1, 8, 15}));
  ASSERT_EQ(got->dims(), want->dims());
  // The same products summed in another order (NLC instead of NCL).
  constexpr double kFloatRelTol = 1e-5;
  for (int64_t i = 0; i < got->num_elements(); ++i) {
    EXPECT_LE(std::fabs(At(*got, i) - At(*want, i)), kFloatRelTol * std::max(1.0, std::fabs(At(*want, i))));
  }
}

TEST(InputShapeCli, FixedDimAndUnknownNameAreUsageErrors) {
  const std::string x = AudioInput(TempDir("input_shape_errors"));
  CliResult r = RunCli("run " + kConv1d + " -i " + x + " --input-shape x=1,3,32");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--input-shape x=1,3,32: input 'x' dim 1 is fixed at 2"), std::string::npos) << r.err;
  r = RunCli("inspect " + kConv1d + " --input-shape audio=1,2,32");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the model has no input 'audio' (inputs: x)"), std::string::npos) << r.err;
  r = RunCli("convert " + kFrames + " -o " + TempDir("input_shape_short") + "/f.tflite --input-shape x=1,3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("input 'x': the graph does not take this shape"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace qforge::testing
