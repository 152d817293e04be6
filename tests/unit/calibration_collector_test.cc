// Calibration collection on the committed Fashion-MNIST CNN with real images,
// checked against a brute-force run of the interpreter, plus the error paths
// on small hand-built graphs.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "ops/infer.h"
#include "qforge/model.h"
#include "quant/calibration/calibration.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge::quant {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kImages = 32;  // tests/models/data/fashion_t10k_first32_images.npy

// Samples held in memory, for graphs and data no file format describes.
class VectorDataset : public io::Dataset {
 public:
  VectorDataset(std::vector<int64_t> sample_dims, std::vector<float> values)
      : dims_(std::move(sample_dims)), values_(std::move(values)) {
    per_sample_ = 1;
    for (int64_t d : dims_) per_sample_ *= d;
  }
  int64_t size() const override { return static_cast<int64_t>(values_.size()) / per_sample_; }
  const std::vector<int64_t>& sample_dims() const override { return dims_; }
  DataType dtype() const override { return DataType::kFloat32; }
  Result<Tensor> Read(int64_t first, int64_t count) override {
    if (first < 0 || count <= 0 || first + count > size()) return InvalidArgument("bad read range");
    std::vector<int64_t> dims = {count};
    dims.insert(dims.end(), dims_.begin(), dims_.end());
    Tensor t(DataType::kFloat32, dims);
    std::copy_n(values_.begin() + first * per_sample_, count * per_sample_, t.data<float>());
    return t;
  }

 private:
  std::vector<int64_t> dims_;
  std::vector<float> values_;
  int64_t per_sample_;
};

class CalibrationCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "qforge_calib_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The first 32 Fashion-MNIST test images as the model was trained to see
  // them (uint8 / 255, float32), written as an .npy and opened through io/data
  // exactly as the CLI does.
  std::unique_ptr<io::Dataset> OpenImages(const Model& model) {
    auto images = io::ReadNpy(testing::SourcePath("tests/models/data/fashion_t10k_first32_images.npy"));
    EXPECT_TRUE(images.ok()) << images.status().ToString();
    if (!images.ok()) return nullptr;
    Tensor x(DataType::kFloat32, images->dims());
    const auto src = images->span<uint8_t>();
    auto dst = x.span<float>();
    for (size_t i = 0; i < src.size(); ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
    const std::string path = (fs::path(dir_) / "images.npy").string();
    EXPECT_TRUE(io::WriteNpy(path, x).ok());
    io::DataSpec spec;
    spec.path = path;
    const IoInfo input = model.inputs().at(0);
    auto data = io::OpenDataset(spec, input.dims, input.dtype);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    if (!data.ok()) return nullptr;
    EXPECT_EQ((*data)->size(), kImages);
    return std::move(data).value();
  }

  std::string dir_;
};

// Runs the interpreter over all images in batches of `batch` and records,
// by brute force, the min and max of every float32 value it sees.
std::map<std::string, TensorRange> BruteForceMinMax(const Model& model, io::Dataset& data, int64_t batch) {
  std::map<std::string, TensorRange> seen;
  auto note = [&](const std::string& name, const Tensor& t) {
    if (t.dtype() != DataType::kFloat32 || t.num_elements() == 0) return;
    auto [it, fresh] = seen.try_emplace(
        name, TensorRange{std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()});
    for (float v : t.span<float>()) {
      it->second.min = std::min(it->second.min, v);
      it->second.max = std::max(it->second.max, v);
    }
  };
  const ir::Graph& g = model.graph();
  runtime::Interpreter interp(model.shared_graph());
  interp.set_observer([&](const ir::Graph&, const ir::Node& node, std::span<const Tensor* const> outs) {
    for (size_t o = 0; o < outs.size(); ++o) {
      if (outs[o] != nullptr) note(g.value(node.outputs[o]).name, *outs[o]);
    }
  });
  for (int64_t first = 0; first < data.size(); first += batch) {
    auto x = data.Read(first, std::min(batch, data.size() - first));
    EXPECT_TRUE(x.ok());
    if (!x.ok()) break;
    note(g.value(g.inputs[0]).name, *x);
    std::vector<Tensor> inputs = {*x};
    EXPECT_TRUE(interp.Run(inputs).ok());
  }
  return seen;
}

TEST_F(CalibrationCollectorTest, MinMaxMatchesBruteForceOnTheFashionCnn) {
  auto model = Model::Load(testing::SourcePath("models/cnn.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto data = OpenImages(*model);
  ASSERT_NE(data, nullptr);

  CalibrateOptions opt;
  opt.count = 1000;  // more than the 32 images: all of them are used
  opt.batch = 8;
  std::vector<std::pair<int64_t, int64_t>> progress;
  opt.progress = [&](int64_t done, int64_t total) { progress.emplace_back(done, total); };
  auto stats = Calibrate(model->shared_graph(), *data, opt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->samples(), kImages);
  ASSERT_EQ(progress.size(), 4u);
  EXPECT_EQ(progress.back(), std::make_pair(kImages, kImages));

  const auto brute = BruteForceMinMax(*model, *data, 8);
  auto ranges = ComputeRanges(*stats, EstimatorOptions{});
  ASSERT_TRUE(ranges.ok());
  ASSERT_EQ(stats->tensors().size(), brute.size());
  ASSERT_GT(brute.size(), 5u);  // input, convs, relus, pools, gemm, ... of the CNN
  const ir::Graph& g = model->graph();
  for (const auto& [name, want] : brute) {
    SCOPED_TRACE(name);
    const TensorStats* t = stats->Find(name);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->min, want.min);
    EXPECT_EQ(t->max, want.max);
    EXPECT_EQ(t->batches(), 4);
    EXPECT_EQ(t->histogram.total(), static_cast<uint64_t>(t->elements));
    // minmax ranges are the recorded ones, extended to hold 0.
    EXPECT_EQ(ranges->at(name).min, std::min(want.min, 0.0f));
    EXPECT_EQ(ranges->at(name).max, std::max(want.max, 0.0f));
    auto id = g.FindValue(name);
    ASSERT_TRUE(id.has_value());
    EXPECT_FALSE(g.value(*id).is_constant());  // weights are not activations
  }
  // The graph input holds every pixel of every image.
  const TensorStats* in = stats->Find(g.value(g.inputs[0]).name);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->elements, kImages * 28 * 28);
  EXPECT_EQ(in->min, 0.0f);
}

TEST_F(CalibrationCollectorTest, BatchesOfOneAndEightGiveTheSameStatistics) {
  auto model = Model::Load(testing::SourcePath("models/cnn.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto data = OpenImages(*model);
  ASSERT_NE(data, nullptr);
  CalibrateOptions opt;
  opt.count = 20;
  opt.batch = 1;
  auto ones = Calibrate(model->shared_graph(), *data, opt);
  opt.batch = 8;
  auto eights = Calibrate(model->shared_graph(), *data, opt);
  ASSERT_TRUE(ones.ok() && eights.ok());
  EXPECT_EQ(ones->samples(), 20);
  ASSERT_EQ(ones->tensors().size(), eights->tensors().size());
  for (const auto& [name, a] : ones->tensors()) {
    SCOPED_TRACE(name);
    const TensorStats* b = eights->Find(name);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a.min, b->min);
    EXPECT_EQ(a.max, b->max);
    EXPECT_EQ(a.elements, b->elements);
    EXPECT_EQ(a.batches(), 20);
    EXPECT_EQ(b->batches(), 3);  // 8 + 8 + 4
    // The histogram grid depends only on the final range, so it matches too.
    EXPECT_EQ(a.histogram, b->histogram);
  }
}

// x [N, 4] -> Log "log_1" -> y -> Relu "relu_1" -> z.
std::shared_ptr<ir::Graph> LogReluGraph() {
  auto g = std::make_shared<ir::Graph>();
  g->name = "log_relu";
  ir::TensorType t = ops::MakeType(DataType::kFloat32, {ir::kDynamicDim, 4});
  const ir::ValueId x = g->AddValue("x", t);
  const ir::ValueId y = g->AddValue("y", t);
  const ir::ValueId z = g->AddValue("z", t);
  ir::Node log;
  log.name = "log_1";
  log.op = OpKind::kLog;
  log.inputs = {x};
  log.outputs = {y};
  g->AddNode(std::move(log));
  ir::Node relu;
  relu.name = "relu_1";
  relu.op = OpKind::kRelu;
  relu.inputs = {y};
  relu.outputs = {z};
  g->AddNode(std::move(relu));
  g->inputs = {x};
  g->outputs = {z};
  return g;
}

TEST_F(CalibrationCollectorTest, RecordsInputAndEveryNodeOutput) {
  VectorDataset data({4}, {1, 2, 3, 4, 0.5f, 0.25f, 8, 16});
  CalibrateOptions opt;
  opt.batch = 1;
  auto stats = Calibrate(LogReluGraph(), data, opt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->samples(), 2);
  ASSERT_EQ(stats->tensors().size(), 3u);
  EXPECT_EQ(stats->Find("x")->max, 16.0f);
  EXPECT_FLOAT_EQ(stats->Find("y")->min, std::log(0.25f));
  EXPECT_EQ(stats->Find("z")->min, 0.0f);
  EXPECT_EQ(stats->Find("z")->batch_max, (std::vector<float>{std::log(4.0f), std::log(16.0f)}));
}

TEST_F(CalibrationCollectorTest, NanActivationNamesValueNodeAndSamples) {
  // Sample 2 has a negative value: Log makes it NaN.
  VectorDataset data({4}, {1, 2, 3, 4, 5, 6, 7, 8, 1, -1, 1, 1, 2, 2, 2, 2});
  CalibrateOptions opt;
  opt.batch = 2;
  auto stats = Calibrate(LogReluGraph(), data, opt);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(stats.status().message(), "activation 'y' of node 'log_1' (Log) is NaN after 4 samples");
  // A zero gives -Inf.
  VectorDataset zero({4}, {1, 0, 1, 1});
  stats = Calibrate(LogReluGraph(), zero, opt);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().message(), "activation 'y' of node 'log_1' (Log) is -Inf after 1 samples");
}

TEST_F(CalibrationCollectorTest, EmptyDataAndBadCountsAreInvalid) {
  VectorDataset empty({4}, {});
  CalibrateOptions opt;
  auto stats = Calibrate(LogReluGraph(), empty, opt);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(stats.status().message().find("empty"), std::string::npos);

  VectorDataset data({4}, {1, 2, 3, 4});
  for (int64_t count : {0, -5}) {
    opt.count = count;
    stats = Calibrate(LogReluGraph(), data, opt);
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(stats.status().message().find("sample count"), std::string::npos);
  }
  opt.count = 10;
  opt.batch = 0;
  EXPECT_EQ(Calibrate(LogReluGraph(), data, opt).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CalibrationCollectorTest, FixedBatchDimensionIsHonoured) {
  auto g = LogReluGraph();
  g->value(g->inputs[0]).type.dims[0] = 2;  // the model only takes batches of 2
  VectorDataset data({4}, std::vector<float>(5 * 4, 3.0f));
  CalibrateOptions opt;
  opt.batch = 16;
  auto stats = Calibrate(g, data, opt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->samples(), 4);  // two whole batches; the fifth sample is left out
  EXPECT_EQ(stats->Find("x")->batches(), 2);
  VectorDataset one({4}, {1, 2, 3, 4});
  EXPECT_EQ(Calibrate(g, one, opt).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qforge::quant

namespace qforge::quant {
namespace {

// PyTorch exports an LSTM's zero initial state as ConstantOfShape(Shape(x)
// -> Gather -> Concat): constant only once the batch is known, so the
// runtime folds it at prepare. It is still an activation of the graph: it
// is recorded (all zeros), and an int8 quantization of the model goes
// through instead of "nothing recorded for '/rnn/ConstantOfShape_output_0'".
TEST_F(CalibrationCollectorTest, ShapeDerivedValuesFoldedAtPrepareAreRecorded) {
  auto model = Model::Load(testing::SourcePath("tests/data/recurrent/lstm_batch_first.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::vector<float> values(4 * 6 * 5);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(0.37f * static_cast<float>(i));
  VectorDataset data({6, 5}, values);
  CalibrateOptions opt;
  opt.batch = 2;
  auto stats = Calibrate(model->shared_graph(), data, opt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  const TensorStats* zeros = stats->Find("/rnn/ConstantOfShape_output_0");
  ASSERT_NE(zeros, nullptr);
  EXPECT_EQ(zeros->batches(), 2);
  EXPECT_EQ(zeros->min, 0.0f);
  EXPECT_EQ(zeros->max, 0.0f);
  const TensorStats* y = stats->Find("y");
  ASSERT_NE(y, nullptr);
  EXPECT_LT(y->min, 0.0f);
  EXPECT_GT(y->max, 0.0f);
}

}  // namespace
}  // namespace qforge::quant
