// `qforge quantize` as a user runs it: every mode writes a loadable model and
// a report; bad requests and bad data fail with one clear line, the
// documented exit code, and no output file left behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "cli_runner.h"
#include "io/data/dataset.h"
#include "ir/graph.h"
#include "qforge/model.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kCalib = SourcePath("models/calib/fashion_train100.npy");

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// A clean failure that left no output file (and no temporary) behind.
void ExpectCleanFailure(const CliResult& r, int code, const std::string& needle, const std::string& dir) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_GE(Lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "left a file in " << dir;
}

std::string Quantize(const std::string& args) { return "quantize " + kModel + " " + args; }

TEST(QuantizeCli, EveryModeWritesALoadableSmallerModel) {
  const std::string dir = TempDir("quantize_modes");
  struct Case {
    const char* mode;
    double min_weight_ratio;
  };
  for (const Case& c : {Case{"weight-only", 3.9}, Case{"dynamic", 3.9}, Case{"float16", 1.95},
                        Case{"int8", 3.9}, Case{"int8-only", 3.9}}) {
    const std::string out = dir + "/cnn_" + c.mode + ".onnx";
    CliResult r = RunCli(Quantize("-o " + out + " --mode " + c.mode + " --calib " + kCalib));
    ASSERT_EQ(r.exit_code, 0) << c.mode << ": " << r.err;
    EXPECT_NE(r.out.find(std::string("mode               ") + c.mode), std::string::npos) << r.out;
    Result<Model> m = Model::Load(out);
    ASSERT_TRUE(m.ok()) << c.mode << ": " << m.status().message();
    // "weights  423,464 -> 106,242 bytes (3.99x smaller)"
    const size_t at = r.out.find("  weights");
    ASSERT_NE(at, std::string::npos) << r.out;
    const size_t open = r.out.find('(', at);
    const double ratio = std::stod(r.out.substr(open + 1));
    EXPECT_GE(ratio, c.min_weight_ratio) << c.mode << ": " << r.out;
  }
}

TEST(QuantizeCli, Int8WithoutCalibrationDataIsAUsageError) {
  const std::string dir = TempDir("quantize_nocalib");
  CliResult r = RunCli(Quantize("-o " + dir + "/q.onnx --mode int8"));
  ExpectCleanFailure(r, 2, "--calib", dir);
}

TEST(QuantizeCli, UnknownModeAndBadActivationType) {
  const std::string dir = TempDir("quantize_badmode");
  ExpectCleanFailure(RunCli(Quantize("-o " + dir + "/q.onnx --mode int4")), 2, "int4", dir);
  ExpectCleanFailure(RunCli(Quantize("-o " + dir + "/q.onnx --activations int16 --calib " + kCalib)), 2,
                     "int16", dir);
}

TEST(QuantizeCli, RefusesToOverwriteItsInput) {
  const std::string dir = TempDir("quantize_overwrite");
  const std::string copy = dir + "/cnn.onnx";
  std::filesystem::copy_file(kModel, copy);
  const std::string before = ReadBytes(copy);
  CliResult r = RunCli("quantize " + copy + " -o " + copy + " --mode dynamic");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(ReadBytes(copy), before);
}

TEST(QuantizeCli, CalibrationDataOfTheWrongShapeOrWithNaNOrEmpty) {
  const std::string data_dir = TempDir("quantize_baddata_in");
  const std::string dir = TempDir("quantize_baddata_out");
  Tensor wrong(DataType::kFloat32, {4, 3, 5});
  ASSERT_TRUE(io::WriteNpy(data_dir + "/wrong.npy", wrong).ok());
  ExpectCleanFailure(RunCli(Quantize("-o " + dir + "/q.onnx --calib " + data_dir + "/wrong.npy")), 2,
                     "wrong.npy", dir);

  Tensor nan(DataType::kFloat32, {2, 1, 28, 28});
  nan.data<float>()[100] = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(io::WriteNpy(data_dir + "/nan.npy", nan).ok());
  CliResult r = RunCli(Quantize("-o " + dir + "/q.onnx --calib " + data_dir + "/nan.npy"));
  ExpectCleanFailure(r, 2, "nan.npy", dir);
  EXPECT_NE(r.err.find("NaN"), std::string::npos) << r.err;

  Tensor empty(DataType::kFloat32, {0, 1, 28, 28});
  ASSERT_TRUE(io::WriteNpy(data_dir + "/empty.npy", empty).ok());
  ExpectCleanFailure(RunCli(Quantize("-o " + dir + "/q.onnx --calib " + data_dir + "/empty.npy")), 2,
                     "empty.npy", dir);

  Tensor ints(DataType::kInt64, {2, 1, 28, 28});
  ASSERT_TRUE(io::WriteNpy(data_dir + "/ints.npy", ints).ok());
  ExpectCleanFailure(RunCli(Quantize("-o " + dir + "/q.onnx --calib " + data_dir + "/ints.npy")), 2,
                     "ints.npy", dir);
}

TEST(QuantizeCli, SavedStatisticsReproduceTheModelWithoutData) {
  const std::string dir = TempDir("quantize_stats");
  CliResult a = RunCli(Quantize("-o " + dir + "/a.onnx --calib " + kCalib +
                                " --calib-count 50 --estimator percentile"
                                " --save-calib-stats " +
                                dir + "/stats.json"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  CliResult b = RunCli(
      Quantize("-o " + dir + "/b.onnx --load-calib-stats " + dir + "/stats.json --estimator percentile"));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(ReadBytes(dir + "/a.onnx"), ReadBytes(dir + "/b.onnx"));
  // Another estimator on the same statistics gives other ranges.
  CliResult c =
      RunCli(Quantize("-o " + dir + "/c.onnx --load-calib-stats " + dir + "/stats.json --estimator mse"));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(ReadBytes(dir + "/a.onnx"), ReadBytes(dir + "/c.onnx"));

  const std::string bad_dir = TempDir("quantize_stats_bad");
  std::ofstream(dir + "/corrupt.json") << "{\"format\": \"qforge-calibration-stats\", \"version\": 1, \"tens";
  ExpectCleanFailure(
      RunCli(Quantize("-o " + bad_dir + "/q.onnx --load-calib-stats " + dir + "/corrupt.json")), 2,
      "corrupt.json", bad_dir);
}

TEST(QuantizeCli, Int8OnlyListsTheNodesThatCannotBeInteger) {
  // x -> MatMul -> Erf -> y: Erf has no integer kernel.
  const std::string dir = TempDir("quantize_int8only_in");
  const std::string out_dir = TempDir("quantize_int8only_out");
  auto g = std::make_shared<ir::Graph>();
  ir::TensorType t;
  t.dtype = DataType::kFloat32;
  t.rank_known = true;
  t.dims = {1, 4};
  const ir::ValueId x = g->AddValue("x", t), h = g->AddValue("h", t), y = g->AddValue("y", t);
  Tensor w(DataType::kFloat32, {4, 4});
  for (int i = 0; i < 16; ++i) w.data<float>()[i] = 0.1f * static_cast<float>(i % 5) - 0.2f;
  const ir::ValueId wv = g->AddConstant("w", std::move(w));
  g->inputs = {x};
  g->AddNode({"mm", OpKind::kMatMul, {x, wv}, {h}, {}, false});
  g->AddNode({"the_erf", OpKind::kErf, {h}, {y}, {}, false});
  g->outputs = {y};
  ASSERT_TRUE(Model(g).Save(dir + "/erf.onnx").ok());
  Tensor calib(DataType::kFloat32, {8, 4});
  for (int i = 0; i < 32; ++i) calib.data<float>()[i] = 0.05f * static_cast<float>(i) - 0.8f;
  ASSERT_TRUE(io::WriteNpy(dir + "/calib.npy", calib).ok());

  CliResult r = RunCli("quantize " + dir + "/erf.onnx -o " + out_dir + "/q.onnx --mode int8-only --calib " +
                       dir + "/calib.npy");
  ExpectCleanFailure(r, 4, "'the_erf' (Erf)", out_dir);
  // The same model in int8 mode keeps Erf in float and says so.
  CliResult ok = RunCli("quantize " + dir + "/erf.onnx -o " + out_dir + "/q.onnx --mode int8 --calib " + dir +
                        "/calib.npy");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("'the_erf' (Erf): no integer kernel for Erf"), std::string::npos) << ok.out;
}

TEST(QuantizeCli, EvalPrintsFloatAndQuantizedTop1SideBySide) {
  const std::string dir = TempDir("quantize_eval");
  const std::string data = "/usr/share/datasets/fashion-mnist/";
  CliResult r = RunCli(Quantize("-o " + dir + "/q.onnx --calib " + kCalib + " --eval " + data +
                                "t10k-images-idx3-ubyte.gz --labels " + data +
                                "t10k-labels-idx1-ubyte.gz --eval-limit 300"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("top-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/300"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace qforge::testing

namespace qforge::testing {
namespace {

const std::string kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const std::string kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

TEST(QuantizeCli, Int8OnlyModelsTakeTheSameFloatDataAsTheFloatModel) {
  const std::string dir = TempDir("quantize_int8only_eval");
  const std::string q = dir + "/only.onnx";
  CliResult r = RunCli(Quantize("-o " + q + " --mode int8-only --calib " + kCalib + " --eval " + kImages +
                                " --labels " + kLabels + " --eval-limit 200"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("/200"), std::string::npos) << r.out;
  CliResult e = RunCli("eval " + q + " --data " + kImages + " --labels " + kLabels + " --limit 200");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  // 200 test images: the int8-only model must classify like the float one (>= 85%).
  const size_t at = e.out.find("top-1: ");
  ASSERT_NE(at, std::string::npos) << e.out;
  EXPECT_GE(std::stod(e.out.substr(at + 7)), 85.0) << e.out;
  CliResult run = RunCli("run " + q + " --input " + kCalib + " --output " + dir + "/out.npy");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Result<Tensor> out = io::ReadNpy(dir + "/out.npy");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->dtype(), DataType::kInt8);
  EXPECT_EQ(out->dims(), (std::vector<int64_t>{100, 10}));
}

TEST(QuantizeCli, BadEvalArgumentsFailBeforeAnythingIsWritten) {
  const std::string dir = TempDir("quantize_eval_nolabels");
  ExpectCleanFailure(RunCli(Quantize("-o " + dir + "/q.onnx --calib " + kCalib + " --eval " + kImages)), 2,
                     "--labels", dir);
}

TEST(QuantizeCli, ExcludingAFusedActivationExcludesItsProducer) {
  const std::string dir = TempDir("quantize_exclude_fused");
  CliResult r =
      RunCli(Quantize("-o " + dir + "/q.onnx --calib " + kCalib + " --exclude /features/features.2/Relu"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("fused into '/features/features.0/Conv'"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("'/features/features.0/Conv' (Conv): excluded by --exclude"), std::string::npos)
      << r.out;
}

TEST(QuantizeCli, StatisticsOfAnotherModelAreRefused) {
  const std::string dir = TempDir("quantize_stats_other");
  const std::string out_dir = TempDir("quantize_stats_other_out");
  ASSERT_EQ(
      RunCli(Quantize("-o " + dir + "/a.onnx --calib " + kCalib + " --save-calib-stats " + dir + "/s.json"))
          .exit_code,
      0);
  CliResult r = RunCli("quantize " + SourcePath("models/mobilenet.onnx") + " -o " + out_dir +
                       "/q.onnx --load-calib-stats " + dir + "/s.json");
  ExpectCleanFailure(r, 2, "do not match this model", out_dir);
}

}  // namespace
}  // namespace qforge::testing
