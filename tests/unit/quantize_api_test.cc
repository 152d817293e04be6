// The public quantize API (include/qforge/quantize.h) used directly: every
// mode on the bundled CNN, calibration streamed from a callback, exclusions,
// and bad options returned as a Status.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "io/data/dataset.h"
#include "qforge/model.h"
#include "qforge/quantize.h"
#include "qforge/runtime.h"
#include "test_util.h"

namespace qforge {
namespace {

Model Cnn() {
  Result<Model> m = Model::Load(testing::SourcePath("models/cnn.onnx"));
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(m).value();
}

Tensor CalibrationSamples() {
  Result<Tensor> t = io::ReadNpy(testing::SourcePath("models/calib/fashion_train100.npy"));
  EXPECT_TRUE(t.ok()) << t.status().message();
  return std::move(t).value();
}

// Streams `samples` in `batches` batches of `batch` samples; counts the calls.
struct Stream {
  Tensor samples;
  int64_t batch = 16;
  int64_t batches = 0;  // batches to give before the end
  int calls = 0;

  CalibrationBatches Batches() {
    return [this]() -> Result<std::vector<Tensor>> {
      const int64_t first = calls * batch;
      ++calls;
      if (calls > batches) return std::vector<Tensor>{};
      std::vector<int64_t> dims = samples.dims();
      dims[0] = batch;
      Tensor t(DataType::kFloat32, dims);
      const size_t row = samples.byte_size() / static_cast<size_t>(samples.dim(0));
      std::memcpy(t.raw_data(), samples.data<char>() + row * static_cast<size_t>(first),
                  row * static_cast<size_t>(batch));
      return std::vector<Tensor>{std::move(t)};
    };
  }
};

void ExpectRuns(const Model& m) {
  Result<Session> s = Session::Create(m);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const std::vector<IoInfo> inputs = m.inputs();
  Tensor x(inputs[0].dtype, {1, 1, 28, 28});
  Result<std::vector<Tensor>> out = s->Run({&x, 1});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{1, 10}));
}

TEST(QuantizeApi, EveryModeQuantizesTheCnn) {
  const Model cnn = Cnn();
  Stream stream{CalibrationSamples(), 16, 4};
  for (QuantizeMode mode : {QuantizeMode::kWeightOnly, QuantizeMode::kDynamic, QuantizeMode::kFloat16,
                            QuantizeMode::kInt8, QuantizeMode::kInt8Only}) {
    stream.calls = 0;
    QuantizeOptions opt;
    opt.mode = mode;
    opt.calibration.batches = stream.Batches();
    Result<QuantizeResult> r = Quantize(cnn, opt);
    ASSERT_TRUE(r.ok()) << QuantizeModeName(mode) << ": " << r.status().message();
    EXPECT_EQ(r->report.mode, mode);
    EXPECT_GT(r->report.nodes_quantized, 0) << QuantizeModeName(mode);
    EXPECT_LT(r->report.weight_bytes_after, r->report.weight_bytes_before) << QuantizeModeName(mode);
    const bool calibrated = mode == QuantizeMode::kInt8 || mode == QuantizeMode::kInt8Only;
    EXPECT_EQ(stream.calls, calibrated ? 5 : 0) << QuantizeModeName(mode);
    EXPECT_EQ(r->report.calibration_samples, calibrated ? 64 : 0) << QuantizeModeName(mode);
    ExpectRuns(r->model);
  }
}

TEST(QuantizeApi, StreamsTheGivenNumberOfBatches) {
  const Model cnn = Cnn();
  for (int64_t batches : {1, 3, 6}) {
    Stream stream{CalibrationSamples(), 8, batches};
    QuantizeOptions opt;
    opt.calibration.batches = stream.Batches();
    opt.calibration.source_name = "stream";
    Result<QuantizeResult> r = Quantize(cnn, opt);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(stream.calls, batches + 1);  // every batch, then the end
    EXPECT_EQ(r->report.calibration_samples, 8 * batches);
    EXPECT_EQ(r->report.calibration_source, "stream");
    EXPECT_EQ(r->report.nodes_float, 0);
  }
}

TEST(QuantizeApi, ExcludedNodesStayFloatAndFusedNamesMapToTheirProducer) {
  const Model cnn = Cnn();
  Stream stream{CalibrationSamples(), 16, 2};
  QuantizeOptions opt;
  opt.calibration.batches = stream.Batches();
  opt.exclude = {"/features/features.2/Relu"};  // fused into the first Conv
  Result<QuantizeResult> r = Quantize(cnn, opt);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->report.notes.size(), 1u);
  EXPECT_NE(r->report.notes[0].find("fused into '/features/features.0/Conv'"), std::string::npos);
  EXPECT_EQ(r->report.nodes_float, 1);
  auto it = std::find_if(r->report.nodes.begin(), r->report.nodes.end(),
                         [](const NodeReport& n) { return !n.quantized; });
  ASSERT_NE(it, r->report.nodes.end());
  EXPECT_EQ(it->name, "/features/features.0/Conv");
  EXPECT_EQ(it->op, "Conv");
  EXPECT_EQ(it->reason, "excluded by --exclude");
}

TEST(QuantizeApi, BadOptionsAreAStatus) {
  const Model cnn = Cnn();
  Stream stream{CalibrationSamples(), 16, 2};
  auto expect_error = [&](const QuantizeOptions& opt, StatusCode code, const std::string& needle) {
    stream.calls = 0;  // every case streams from the start
    Result<QuantizeResult> r = Quantize(cnn, opt);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), code) << r.status().message();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  QuantizeOptions no_data;
  expect_error(no_data, StatusCode::kInvalidArgument, "needs calibration data");

  QuantizeOptions opt;
  opt.calibration.batches = stream.Batches();
  QuantizeOptions int16 = opt;
  int16.activation_type = DataType::kInt16;
  expect_error(int16, StatusCode::kInvalidArgument, "int8 or uint8");

  QuantizeOptions unknown = opt;
  unknown.exclude = {"no_such_node"};
  expect_error(unknown, StatusCode::kInvalidArgument, "no_such_node");

  QuantizeOptions percentile = opt;
  percentile.calibration.estimator = RangeEstimator::kPercentile;
  percentile.calibration.percentile = 10;
  expect_error(percentile, StatusCode::kInvalidArgument, "percentile");

  QuantizeOptions failing = opt;
  failing.calibration.source_name = "camera";
  failing.calibration.batches = []() -> Result<std::vector<Tensor>> { return IoError("the camera is off"); };
  expect_error(failing, StatusCode::kIoError, "camera: the camera is off");

  QuantizeOptions two = opt;
  two.calibration.batches = []() -> Result<std::vector<Tensor>> {
    return std::vector<Tensor>{Tensor(DataType::kFloat32, {1, 1, 28, 28}), Tensor(DataType::kFloat32, {1})};
  };
  expect_error(two, StatusCode::kInvalidArgument, "2 tensors");

  QuantizeOptions stats = opt;
  stats.calibration.load_statistics = testing::SourcePath("no/such/stats.json");
  Result<QuantizeResult> r = Quantize(cnn, stats);
  EXPECT_FALSE(r.ok());

  EXPECT_FALSE(ParseQuantizeMode("int4").ok());
  EXPECT_FALSE(ParseRangeEstimator("guess").ok());
  Result<QuantizeMode> mode = ParseQuantizeMode("int8-only");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, QuantizeMode::kInt8Only);
}

}  // namespace
}  // namespace qforge
