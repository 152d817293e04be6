// Issue 3's accuracy budget: each bundled Fashion-MNIST model, quantized
// with the 100 bundled calibration images (training images), written to a
// QDQ ONNX file and read back, is evaluated by qforge on all 10,000 test
// images. int8 and dynamic must lose at most 0.3 point of top-1 against the
// float model, weight-only at most 0.2 (docs/accuracy.md has the table).
// Issue 4: the same int8 graph written as .tflite and read back must score
// within 0.1 point of the QDQ file (TFLite's fixed-point requantization vs
// ONNX's float rule moves a few outputs by one step, rarely a class).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eval/classification.h"
#include "io/data/dataset.h"
#include "passes/pipelines.h"
#include "qforge/model.h"
#include "qforge/runtime.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const char* kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const char* kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

struct Case {
  const char* model;
  quant::QuantMode mode;
  double max_loss_points;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string mode = quant::QuantModeName(info.param.mode);
  for (char& c : mode) {
    if (c == '-') c = '_';
  }
  return std::string(info.param.model) + "_" + mode;
}

class QuantizedAccuracy : public ::testing::TestWithParam<Case> {};

Result<std::map<std::string, quant::ValueRange>> Calibrate(std::shared_ptr<const ir::Graph> g) {
  io::DataSpec spec;
  spec.path = SourcePath("models/calib/fashion_train100.npy");
  QF_ASSIGN_OR_RETURN(auto data, io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32));
  quant::CalibrateOptions co;  // 100 samples, minmax
  QF_ASSIGN_OR_RETURN(quant::CalibrationStats stats, quant::Calibrate(g, *data, co));
  QF_ASSIGN_OR_RETURN(auto ranges, quant::ComputeRanges(stats, {}));
  std::map<std::string, quant::ValueRange> out;
  for (const auto& [name, r] : ranges) out[name] = {r.min, r.max};
  return out;
}

Result<eval::TopKCounts> EvaluateTestSet(const Model& model) {
  io::DataSpec spec;
  spec.path = kImages;
  QF_ASSIGN_OR_RETURN(auto data, io::OpenDataset(spec, model.inputs()[0].dims, model.inputs()[0].dtype));
  QF_ASSIGN_OR_RETURN(auto labels, io::LoadLabels(kLabels));
  QF_ASSIGN_OR_RETURN(auto session, Session::Create(model));
  eval::EvalOptions eo;
  eo.batch = 100;
  return eval::EvaluateClassifier(session, *data, labels, eo);
}

// Writes `g` to a temporary file with extension `ext` and reads it back:
// what a user ships is what is measured.
Result<Model> SaveAndReload(const ir::Graph& g, const std::string& stem, const std::string& ext) {
  const std::string path =
      (std::filesystem::temp_directory_path() / (stem + "_" + std::to_string(getpid()) + ext)).string();
  Status s = Model(std::make_shared<ir::Graph>(g)).Save(path);
  if (!s.ok()) return s;
  Result<Model> reloaded = Model::Load(path);
  std::filesystem::remove(path);
  return reloaded;
}

TEST_P(QuantizedAccuracy, Top1WithinBudgetOfFloat) {
  const Case& c = GetParam();
  std::ifstream f(SourcePath(std::string("models/") + c.model + ".json"));
  ASSERT_TRUE(f);
  const double float_top1 = 100.0 * nlohmann::json::parse(f).at("float_top1").get<double>();

  Result<Model> model = Model::Load(SourcePath(std::string("models/") + c.model + ".onnx"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto prepared = std::make_shared<ir::Graph>(model->graph());
  ASSERT_TRUE(passes::PrepareForQuantization(prepared.get()).ok());
  quant::QuantizeOptions opt;
  opt.mode = c.mode;
  if (quant::NeedsCalibration(c.mode)) {
    auto ranges = Calibrate(prepared);
    ASSERT_TRUE(ranges.ok()) << ranges.status().message();
    opt.ranges = std::move(*ranges);
  }
  Result<ir::Graph> q = quant::QuantizeGraph(*prepared, opt, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().message();
  const std::string stem = "qforge_accuracy_" + CaseName({GetParam(), 0});
  Result<Model> reloaded = SaveAndReload(*q, stem, ".onnx");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  auto counts = EvaluateTestSet(*reloaded);
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  ASSERT_EQ(counts->total, 10000);
  const double top1 = counts->top1_percent();
  std::printf("%s %s: float %.2f%% quantized %.2f%% (%+.2f pt)\n", c.model, quant::QuantModeName(c.mode),
              float_top1, top1, top1 - float_top1);
  EXPECT_GE(top1, float_top1 - c.max_loss_points);

  if (c.mode != quant::QuantMode::kInt8) return;
  Result<Model> tflite = SaveAndReload(*q, stem, ".tflite");
  ASSERT_TRUE(tflite.ok()) << tflite.status().message();
  auto tcounts = EvaluateTestSet(*tflite);
  ASSERT_TRUE(tcounts.ok()) << tcounts.status().message();
  ASSERT_EQ(tcounts->total, 10000);
  std::printf("%s int8: QDQ .onnx %.2f%% .tflite %.2f%% (%+.2f pt)\n", c.model, top1, tcounts->top1_percent(),
              tcounts->top1_percent() - top1);
  EXPECT_NEAR(tcounts->top1_percent(), top1, 0.1);
}

INSTANTIATE_TEST_SUITE_P(Fashion, QuantizedAccuracy,
                         ::testing::Values(Case{"cnn", quant::QuantMode::kInt8, 0.3},
                                           Case{"cnn", quant::QuantMode::kDynamic, 0.3},
                                           Case{"cnn", quant::QuantMode::kWeightOnly, 0.2},
                                           Case{"mobilenet", quant::QuantMode::kInt8, 0.3},
                                           Case{"mobilenet", quant::QuantMode::kDynamic, 0.3},
                                           Case{"mobilenet", quant::QuantMode::kWeightOnly, 0.2},
                                           Case{"resnet", quant::QuantMode::kInt8, 0.3},
                                           Case{"resnet", quant::QuantMode::kDynamic, 0.3},
                                           Case{"resnet", quant::QuantMode::kWeightOnly, 0.2}),
                         CaseName);

}  // namespace
}  // namespace qforge::testing
