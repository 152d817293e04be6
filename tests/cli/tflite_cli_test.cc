// TFLite as a user meets it (issue 4): `convert` and `quantize` write .tflite
// in every mode, and `inspect`, `run`, `eval` and `quantize` take .tflite
// input directly; broken files and impossible requests fail with one clear
// line, the documented exit code, and no output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kCalib = SourcePath("models/calib/fashion_train100.npy");
const std::string kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const std::string kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// "top-1 92.00% (184/200)" -> 92.00
double Top1(const std::string& out) {
  const size_t at = out.find("top-1");
  if (at == std::string::npos) return -1;
  const size_t digits = out.find_first_of("0123456789", at + 5);
  return digits == std::string::npos ? -1 : std::stod(out.substr(digits));
}

TEST(TfliteCli, ConvertWritesATfliteFileThatEvaluatesLikeTheOnnxModel) {
  const std::string dir = TempDir("tflite_convert");
  const std::string out = dir + "/cnn.tflite";
  CliResult c = RunCli("convert " + kModel + " -o " + out);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string bytes = ReadBytes(out);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(4, 4), "TFL3");

  const std::string eval_args = " --data " + kImages + " --labels " + kLabels + " --limit 500";
  CliResult onnx = RunCli("eval " + kModel + eval_args);
  CliResult tfl = RunCli("eval " + out + eval_args);
  ASSERT_EQ(onnx.exit_code, 0) << onnx.err;
  ASSERT_EQ(tfl.exit_code, 0) << tfl.err;
  EXPECT_GT(Top1(onnx.out), 80.0) << onnx.out;
  EXPECT_DOUBLE_EQ(Top1(tfl.out), Top1(onnx.out)) << tfl.out;

  // And back: the NHWC-input ONNX model a .tflite converts to gives the same answers.
  const std::string back = dir + "/cnn_back.onnx";
  CliResult b = RunCli("convert " + out + " -o " + back);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  CliResult onnx_back = RunCli("eval " + back + eval_args);
  ASSERT_EQ(onnx_back.exit_code, 0) << onnx_back.err;
  EXPECT_DOUBLE_EQ(Top1(onnx_back.out), Top1(onnx.out)) << onnx_back.out;

  CliResult inspect = RunCli("inspect " + out);
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("28"), std::string::npos) << inspect.out;
}

TEST(TfliteCli, QuantizeWritesEveryModeAndTheResultRuns) {
  const std::string dir = TempDir("tflite_quantize_modes");
  for (const char* mode : {"float16", "weight-only", "dynamic", "int8", "int8-only"}) {
    const std::string out = dir + "/cnn_" + mode + ".tflite";
    CliResult q = RunCli("quantize " + kModel + " -o " + out + " --mode " + mode + " --calib " + kCalib);
    ASSERT_EQ(q.exit_code, 0) << mode << ": " << q.err;
    const std::string bytes = ReadBytes(out);
    ASSERT_GE(bytes.size(), 8u) << mode;
    EXPECT_EQ(bytes.substr(4, 4), "TFL3") << mode;
    CliResult e = RunCli("eval " + out + " --data " + kImages + " --labels " + kLabels + " --limit 300");
    ASSERT_EQ(e.exit_code, 0) << mode << ": " << e.err;
    EXPECT_GT(Top1(e.out), 80.0) << mode << ": " << e.out;
    if (std::string(mode) == "int8-only") {  // integer I/O: inspect says how to feed and read it
      CliResult i = RunCli("inspect " + out);
      EXPECT_NE(i.out.find("input: int8[?, 28, 28, 1] NHWC scale 0.00392156"), std::string::npos) << i.out;
      EXPECT_NE(i.out.find("zero_point"), std::string::npos) << i.out;
    }
  }
}

TEST(TfliteCli, QuantizeTakesATfliteFloatModel) {
  const std::string dir = TempDir("tflite_quantize_input");
  const std::string fl = dir + "/cnn.tflite";
  ASSERT_EQ(RunCli("convert " + kModel + " -o " + fl).exit_code, 0);
  const std::string q = dir + "/cnn_int8.tflite";
  CliResult r = RunCli("quantize " + fl + " -o " + q + " --mode int8 --calib " + kCalib + " --eval " +
                       kImages + " --labels " + kLabels + " --eval-limit 300");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("top-1"), std::string::npos) << r.out;
}

TEST(TfliteCli, UnsignedActivationsAreRefusedForTflite) {
  // TFLite's integer scheme is int8 activations; uint8 activations with int8
  // weights (ONNX Runtime's U8S8) have no TFLite form.
  const std::string dir = TempDir("tflite_uint8_act");
  CliResult r = RunCli("quantize " + kModel + " -o " + dir +
                       "/q.tflite --mode int8 --activations uint8 --calib " + kCalib);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("uint8"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "left a file in " << dir;
}

TEST(TfliteCli, BrokenFilesFailWithTheFileNamed) {
  const std::string dir = TempDir("tflite_broken");
  const std::string good = dir + "/cnn.tflite";
  ASSERT_EQ(RunCli("convert " + kModel + " -o " + good).exit_code, 0);
  const std::string bytes = ReadBytes(good);
  const std::string truncated = dir + "/truncated.tflite";
  WriteBytes(truncated, bytes.substr(0, bytes.size() / 2));
  const std::string wrong_id = dir + "/wrong_id.tflite";
  std::string w = bytes;
  w[4] = 'X';
  WriteBytes(wrong_id, w);
  for (const std::string& bad : {truncated, wrong_id}) {
    const std::string out = dir + "/out.onnx";
    CliResult r = RunCli("convert " + bad + " -o " + out);
    EXPECT_EQ(r.exit_code, 3) << bad << ": " << r.err;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

}  // namespace
}  // namespace qforge::testing
