// quantize --calib for models of several inputs (issue 13, item 3): an .npz
// with one member per input name or NAME=FILE pairs, a rank-0 input fed one
// value, and --feedback streaming a state output into its input, on real
// Fashion-MNIST images read row by row as an RNN reads a sequence.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include "cli_runner.h"
#include "io/data/dataset.h"
#include "ir/graph.h"
#include "qforge/model.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

// h_out = tanh(gain * (x W + h U)), y = relu(h_out): one recurrent step with
// inputs x [batch, 28] (an image row), h [batch, 4] (state), gain (scalar).
std::string WriteStepModel(const std::string& dir) {
  auto g = std::make_shared<ir::Graph>();
  auto type = [](std::vector<int64_t> dims) {
    ir::TensorType t;
    t.dtype = DataType::kFloat32;
    t.rank_known = true;
    t.dims = std::move(dims);
    return t;
  };
  const ir::ValueId x = g->AddValue("x", type({-1, 28})), h = g->AddValue("h", type({-1, 4})),
                    gain = g->AddValue("gain", type({}));
  Tensor w(DataType::kFloat32, {28, 4}), u(DataType::kFloat32, {4, 4});
  for (int i = 0; i < 112; ++i) w.data<float>()[i] = 0.05f * static_cast<float>(i % 7 - 3);
  for (int i = 0; i < 16; ++i) u.data<float>()[i] = 0.3f * static_cast<float>(i % 3 - 1);
  const ir::ValueId wv = g->AddConstant("w", std::move(w)), uv = g->AddConstant("u", std::move(u));
  const ir::ValueId a = g->AddValue("a", type({-1, 4})), b = g->AddValue("b", type({-1, 4})),
                    s = g->AddValue("s", type({-1, 4})), z = g->AddValue("z", type({-1, 4})),
                    h_out = g->AddValue("h_out", type({-1, 4})), y = g->AddValue("y", type({-1, 4}));
  g->inputs = {x, h, gain};
  g->AddNode({"xw", OpKind::kMatMul, {x, wv}, {a}, {}, false});
  g->AddNode({"hu", OpKind::kMatMul, {h, uv}, {b}, {}, false});
  g->AddNode({"sum", OpKind::kAdd, {a, b}, {s}, {}, false});
  g->AddNode({"scale", OpKind::kMul, {s, gain}, {z}, {}, false});
  g->AddNode({"state", OpKind::kTanh, {z}, {h_out}, {}, false});
  g->AddNode({"out", OpKind::kRelu, {h_out}, {y}, {}, false});
  g->outputs = {y, h_out};
  const std::string path = dir + "/step.onnx";
  EXPECT_TRUE(Model(g).Save(path).ok());
  return path;
}

// The first 2 images' 56 rows as x [56, 28], gain 2 as a scalar .npy, and
// both as members of one .npz.
void WriteData(const std::string& dir) {
  Result<Tensor> images = io::ReadNpy(SourcePath("models/calib/fashion_train100.npy"));
  ASSERT_TRUE(images.ok()) << images.status().message();
  Tensor rows(DataType::kFloat32, {56, 28});
  for (int i = 0; i < 56 * 28; ++i) rows.data<float>()[i] = images->data<float>()[i];
  ASSERT_TRUE(io::WriteNpy(dir + "/x.npy", rows).ok());
  Tensor gain(DataType::kFloat32, {});
  gain.data<float>()[0] = 2.0f;
  ASSERT_TRUE(io::WriteNpy(dir + "/gain.npy", gain).ok());
  const std::string py =
      "import numpy as np; d='" + dir +
      "'; np.savez(d + '/calib.npz', x=np.load(d + '/x.npy'), gain=np.load(d + '/gain.npy'))";
  ASSERT_EQ(std::system(("/usr/bin/python3 -c \"" + py + "\"").c_str()), 0);
}

TEST(CalibMultiInputCli, PairsAndNpzCalibrateAStreamingStatefulModel) {
  const std::string dir = TempDir("calib_multi_input");
  const std::string model = WriteStepModel(dir);
  WriteData(dir);
  const std::string common = "quantize " + model + " --mode int8 --feedback h_out=h --calib-batch 1";
  CliResult pairs =
      RunCli(common + " -o " + dir + "/q_pairs.onnx --calib x=" + dir + "/x.npy --calib gain=" + dir +
             "/gain.npy --save-calib-stats " + dir + "/stats.json");
  ASSERT_EQ(pairs.exit_code, 0) << pairs.err;
  CliResult npz = RunCli(common + " -o " + dir + "/q_npz.onnx --calib " + dir + "/calib.npz");
  ASSERT_EQ(npz.exit_code, 0) << npz.err;
  EXPECT_TRUE(ReadBytes(dir + "/q_pairs.onnx") == ReadBytes(dir + "/q_npz.onnx"));

  // The state input was observed as the stream fed it: tanh of real rows, not
  // the zeros it starts from.
  const std::string stats = ReadBytes(dir + "/stats.json");
  const size_t at = stats.find("\"h\"");
  ASSERT_NE(at, std::string::npos) << stats.substr(0, 400);
  const size_t max_at = stats.find("\"max\"", at);
  ASSERT_NE(max_at, std::string::npos);
  EXPECT_GT(std::stod(stats.substr(stats.find(':', max_at) + 1)), 0.1);

  // The quantized step stays close to the float step on a real row.
  Tensor h(DataType::kFloat32, {1, 4});
  for (int i = 0; i < 4; ++i) h.data<float>()[i] = 0.5f - 0.25f * static_cast<float>(i);
  ASSERT_TRUE(io::WriteNpy(dir + "/h.npy", h).ok());
  Result<Tensor> x = io::ReadNpy(dir + "/x.npy");
  ASSERT_TRUE(x.ok());
  Tensor row(DataType::kFloat32, {1, 28});
  for (int i = 0; i < 28; ++i) row.data<float>()[i] = x->data<float>()[14 * 28 + i];
  ASSERT_TRUE(io::WriteNpy(dir + "/row.npy", row).ok());
  const std::string in = " -i " + dir + "/row.npy -i " + dir + "/h.npy -i " + dir + "/gain.npy";
  ASSERT_EQ(RunCli("run " + model + in + " -o " + dir + "/yf.npy -o " + dir + "/hf.npy").exit_code, 0);
  CliResult run =
      RunCli("run " + dir + "/q_pairs.onnx" + in + " -o " + dir + "/yq.npy -o " + dir + "/hq.npy");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Result<Tensor> hf = io::ReadNpy(dir + "/hf.npy"), hq = io::ReadNpy(dir + "/hq.npy");
  ASSERT_TRUE(hf.ok() && hq.ok());
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(hq->data<float>()[i], hf->data<float>()[i], 0.05) << i;
}

TEST(CalibMultiInputCli, MissingOrUnknownInputsAreUsageErrors) {
  const std::string dir = TempDir("calib_multi_input_errors");
  const std::string model = WriteStepModel(dir);
  WriteData(dir);
  const std::string q = "quantize " + model + " --mode int8 --calib-batch 1 -o " + dir + "/q.onnx";
  CliResult no_state = RunCli(q + " --calib x=" + dir + "/x.npy --calib gain=" + dir + "/gain.npy");
  EXPECT_EQ(no_state.exit_code, 2);
  EXPECT_NE(no_state.err.find("no data for input 'h'"), std::string::npos) << no_state.err;
  CliResult bad_out = RunCli(q + " --calib " + dir + "/calib.npz --feedback nothing=h");
  EXPECT_EQ(bad_out.exit_code, 2);
  EXPECT_NE(bad_out.err.find("no model output 'nothing'"), std::string::npos) << bad_out.err;
  CliResult one_file = RunCli(q + " --calib " + dir + "/x.npy --feedback h_out=h");
  EXPECT_EQ(one_file.exit_code, 2);
  EXPECT_NE(one_file.err.find("one member per input name"), std::string::npos) << one_file.err;
  EXPECT_FALSE(std::ifstream(dir + "/q.onnx").good());
}

// `run` takes the same forms: -i once per input in order, NAME=FILE per
// input, or one .npz with a member per input name; all give one result.
TEST(CalibMultiInputCli, RunTakesPairsAndNpzLikePositionalInputs) {
  const std::string dir = TempDir("run_multi_input");
  const std::string model = WriteStepModel(dir);
  WriteData(dir);
  Tensor zeros(DataType::kFloat32, {56, 4});
  ASSERT_TRUE(io::WriteNpy(dir + "/h.npy", zeros).ok());
  const std::string py = "import numpy as np; d='" + dir +
                         "'; np.savez(d + '/all.npz', x=np.load(d + '/x.npy'), h=np.load(d + '/h.npy'), "
                         "gain=np.load(d + '/gain.npy'))";
  ASSERT_EQ(std::system(("/usr/bin/python3 -c \"" + py + "\"").c_str()), 0);
  const std::string run = "run " + model + " -o " + dir;
  CliResult positional =
      RunCli(run + "/y0.npy -i " + dir + "/x.npy -i " + dir + "/h.npy -i " + dir + "/gain.npy");
  ASSERT_EQ(positional.exit_code, 0) << positional.err;
  CliResult pairs =
      RunCli(run + "/y1.npy -i gain=" + dir + "/gain.npy -i h=" + dir + "/h.npy -i x=" + dir + "/x.npy");
  ASSERT_EQ(pairs.exit_code, 0) << pairs.err;
  CliResult npz = RunCli(run + "/y2.npy -i " + dir + "/all.npz");
  ASSERT_EQ(npz.exit_code, 0) << npz.err;
  Result<Tensor> y0 = io::ReadNpy(dir + "/y0.npy"), y1 = io::ReadNpy(dir + "/y1.npy"),
                 y2 = io::ReadNpy(dir + "/y2.npy");
  ASSERT_TRUE(y0.ok() && y1.ok() && y2.ok());
  EXPECT_EQ(y0->dims(), (std::vector<int64_t>{56, 4}));
  EXPECT_EQ(MaxRelError(*y1, *y0), 0.0);
  EXPECT_EQ(MaxRelError(*y2, *y0), 0.0);
  CliResult missing = RunCli(run + "/y3.npy -i x=" + dir + "/x.npy -i gain=" + dir + "/gain.npy");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--input: no data for input 'h'"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace qforge::testing
