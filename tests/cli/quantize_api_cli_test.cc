// `qforge quantize` is a shell over the public API (include/qforge/quantize.h):
// the API, given the same samples in the same batches, writes the very file
// the CLI writes.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>

#include "cli_runner.h"
#include "io/data/dataset.h"
#include "qforge/model.h"
#include "qforge/quantize.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

// The CLI's default calibration: the first 100 samples in batches of 16.
CalibrationBatches BatchesOf16(const Tensor* samples, int64_t* next) {
  return [samples, next]() -> Result<std::vector<Tensor>> {
    std::vector<Tensor> batch;
    const int64_t n = std::min<int64_t>(100, samples->dim(0));
    if (*next >= n) return batch;
    const int64_t count = std::min<int64_t>(16, n - *next);
    std::vector<int64_t> dims = samples->dims();
    dims[0] = count;
    Tensor t(samples->dtype(), dims);
    const size_t row = samples->byte_size() / static_cast<size_t>(samples->dim(0));
    std::memcpy(t.raw_data(), samples->data<char>() + row * static_cast<size_t>(*next),
                row * static_cast<size_t>(count));
    *next += count;
    batch.push_back(std::move(t));
    return batch;
  };
}

TEST(QuantizeApiCli, TheApiWritesTheFileTheCliWrites) {
  const std::string dir = TempDir("quantize_api_vs_cli");
  const std::string model_path = SourcePath("models/cnn.onnx");
  const std::string calib = SourcePath("models/calib/fashion_train100.npy");
  Result<Model> model = Model::Load(model_path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  Result<Tensor> samples = io::ReadNpy(calib);
  ASSERT_TRUE(samples.ok()) << samples.status().message();
  struct Case {
    std::string flags;
    QuantizeMode mode;
    WeightGranularity weights;
    DataType io;
    RangeEstimator estimator;
  };
  const Case cases[] = {
      {"--mode int8", QuantizeMode::kInt8, WeightGranularity::kPerChannel, DataType::kInt8,
       RangeEstimator::kMinMax},
      {"--mode int8-only --io uint8 --per-tensor-fc", QuantizeMode::kInt8Only,
       WeightGranularity::kPerTensorFc, DataType::kUInt8, RangeEstimator::kMinMax},
      {"--mode int8 --estimator percentile", QuantizeMode::kInt8, WeightGranularity::kPerChannel,
       DataType::kInt8, RangeEstimator::kPercentile},
      {"--mode dynamic --per-tensor", QuantizeMode::kDynamic, WeightGranularity::kPerTensor, DataType::kInt8,
       RangeEstimator::kMinMax},
  };
  int i = 0;
  for (const Case& c : cases) {
    for (const char* ext : {".onnx", ".tflite"}) {
      const std::string cli_out = dir + "/cli" + std::to_string(i) + ext;
      const std::string api_out = dir + "/api" + std::to_string(i) + ext;
      ++i;
      CliResult r = RunCli("quantize " + model_path + " -o " + cli_out + " --calib " + calib + " " + c.flags);
      ASSERT_EQ(r.exit_code, 0) << c.flags << ": " << r.err;
      QuantizeOptions opt;
      opt.mode = c.mode;
      opt.weights = c.weights;
      opt.io_type = c.io;
      opt.calibration.estimator = c.estimator;
      int64_t next = 0;
      opt.calibration.batches = BatchesOf16(&*samples, &next);
      Result<QuantizeResult> q = Quantize(*model, opt);
      ASSERT_TRUE(q.ok()) << c.flags << ": " << q.status().message();
      ASSERT_TRUE(q->model.Save(api_out).ok());
      const std::string cli_bytes = ReadBytes(cli_out);
      EXPECT_FALSE(cli_bytes.empty());
      EXPECT_TRUE(cli_bytes == ReadBytes(api_out)) << c.flags << " " << ext << ": the files differ";
    }
  }
}

}  // namespace
}  // namespace qforge::testing
