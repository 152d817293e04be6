// Models exported with a fixed batch (what converters usually emit) in the
// commands that take a data set: `run`, `eval` and `quantize --eval` run N
// samples b at a time (the last batch padded) and give what the same model
// with a dynamic batch gives. The static-batch model is the bundled CNN
// written with its batch pinned to 4 (`convert --input-shape`): a real file
// with a fixed dim, like the openWakeWord heads' [1, 16, 96].
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_runner.h"
#include "io/data/dataset.h"
#include "qforge/model.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kCalib = SourcePath("models/calib/fashion_train100.npy");  // 100 samples
const std::string kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const std::string kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

// The bundled CNN with its batch fixed at 4.
std::string StaticBatchModel(const std::string& dir) {
  const std::string path = dir + "/cnn_batch4.onnx";
  CliResult c = RunCli("convert " + kModel + " -o " + path + " --input-shape 4,1,28,28");
  EXPECT_EQ(c.exit_code, 0) << c.err;
  Result<Model> m = Model::Load(path);
  EXPECT_TRUE(m.ok());
  if (m.ok()) EXPECT_EQ(m->inputs()[0].dims, (std::vector<int64_t>{4, 1, 28, 28}));
  return path;
}

std::string Top1Line(const std::string& out) {
  const size_t at = out.find("top-1: ");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

TEST(StaticBatchCli, RunTakesEverySampleAndMatchesTheDynamicModel) {
  const std::string dir = TempDir("static_batch_run");
  const std::string model = StaticBatchModel(dir);
  // 100 samples: 25 inferences of 4.
  CliResult s = RunCli("run " + model + " -i " + kCalib + " -o " + dir + "/static.npy");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  CliResult d = RunCli("run " + kModel + " -i " + kCalib + " -o " + dir + "/dynamic.npy");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  Result<Tensor> ys = io::ReadNpy(dir + "/static.npy"), yd = io::ReadNpy(dir + "/dynamic.npy");
  ASSERT_TRUE(ys.ok() && yd.ok());
  EXPECT_EQ(ys->dims(), (std::vector<int64_t>{100, 10}));
  EXPECT_LE(MaxRelError(*ys, *yd), 1e-5);
}

TEST(StaticBatchCli, EvalPadsTheLastBatchAndCountsEverySampleOnce) {
  const std::string dir = TempDir("static_batch_eval");
  const std::string model = StaticBatchModel(dir);
  // 250 samples in batches of 32 (a multiple of 4) and 7 (not one): the last
  // inference of each batch is padded; the counts equal the dynamic model's.
  const std::string args = " --data " + kImages + " --labels " + kLabels + " --limit 250";
  CliResult d = RunCli("eval " + kModel + args);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  ASSERT_NE(Top1Line(d.out).find("/250)"), std::string::npos) << d.out;
  for (const char* batch : {"32", "7"}) {
    CliResult s = RunCli("eval " + model + args + " --batch " + batch);
    ASSERT_EQ(s.exit_code, 0) << s.err;
    EXPECT_EQ(Top1Line(s.out), Top1Line(d.out)) << s.out;
  }
}

TEST(StaticBatchCli, QuantizeEvalRunsTheStaticBatchModel) {
  const std::string dir = TempDir("static_batch_quantize");
  const std::string model = StaticBatchModel(dir);
  CliResult q = RunCli("quantize " + model + " -o " + dir + "/q.onnx --calib " + kCalib + " --eval " +
                       kImages + " --labels " + kLabels + " --eval-limit 99");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("/99"), std::string::npos) << q.out;
  Result<Model> written = Model::Load(dir + "/q.onnx");
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->inputs()[0].dims, (std::vector<int64_t>{4, 1, 28, 28}));
}

// A failure during the evaluation (here a label outside the model's 10
// classes, only found when its sample is scored) leaves no output file:
// the written model is evaluated from its bytes before it is written.
TEST(StaticBatchCli, QuantizeWritesNothingWhenEvalFails) {
  const std::string dir = TempDir("static_batch_eval_fails");
  const std::string labels = dir + "/labels.npy";
  Tensor l(DataType::kInt64, {100});
  for (int i = 0; i < 100; ++i) l.data<int64_t>()[i] = i == 13 ? 42 : i % 10;
  ASSERT_TRUE(io::WriteNpy(labels, l).ok());
  CliResult q = RunCli("quantize " + kModel + " -o " + dir + "/q.onnx --calib " + kCalib + " --eval " +
                       kCalib + " --labels " + labels + " --eval-limit 20");
  EXPECT_EQ(q.exit_code, 2) << q.err;
  EXPECT_NE(q.err.find("label 42 of sample 13 is outside the model's 10 classes"), std::string::npos)
      << q.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/q.onnx"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()),
            1);
}

}  // namespace
}  // namespace qforge::testing
