// PyTorch-exported LSTM, GRU and RNN models (tests/data/recurrent, written by
// make_models.py there with torch.onnx.export) run by qforge, reference and
// optimized runtime, against PyTorch's own outputs saved next to them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "io/data/dataset.h"
#include "op_test_helpers.h"
#include "qforge/model.h"
#include "qforge/runtime.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

namespace fs = std::filesystem;

// PyTorch computes in float32 with other summation orders (and its own
// exp/tanh); ONNX Runtime and PyTorch differ by ~1e-7 relative on these
// models, so 1e-5 relative (with a 1e-6 absolute floor for outputs near 0)
// leaves room for rounding only.
constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-6;

fs::path DataDir() { return fs::path(QFORGE_SOURCE_DIR) / "tests" / "data" / "recurrent"; }

std::vector<Tensor> ReadNumbered(const std::string& name, const std::string& kind) {
  return ReadNumberedNpy(DataDir().string(), name, kind);
}

class RecurrentModel : public ::testing::TestWithParam<std::string> {};

TEST_P(RecurrentModel, MatchesPyTorch) {
  const std::string name = GetParam();
  Result<Model> model = Model::Load((DataDir() / (name + ".onnx")).string());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::vector<Tensor> inputs = ReadNumbered(name, "in");
  const std::vector<Tensor> want = ReadNumbered(name, "torch");
  ASSERT_FALSE(inputs.empty());
  for (bool reference : {true, false}) {
    SessionOptions options;
    options.reference = reference;
    Result<Session> session = Session::Create(*model, options);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    Result<std::vector<Tensor>> got = session->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want.size());
    double max_rel = 0;
    for (size_t o = 0; o < want.size(); ++o) {
      ASSERT_EQ((*got)[o].dims(), want[o].dims()) << name << " output " << o;
      const std::vector<double> a = Values((*got)[o]), b = Values(want[o]);
      for (size_t i = 0; i < a.size(); ++i) {
        const double err = std::fabs(a[i] - b[i]);
        ASSERT_LE(err, kAtol + kRtol * std::fabs(b[i])) << name << " output " << o << " element " << i;
        max_rel = std::max(max_rel, err / std::max(std::fabs(b[i]), kAtol / kRtol));
      }
    }
    std::printf("%s (%s): max relative error vs PyTorch %.3g\n", name.c_str(),
                reference ? "reference" : "runtime", max_rel);
  }
}

INSTANTIATE_TEST_SUITE_P(Exported, RecurrentModel,
                         ::testing::Values("lstm_bidir_2layer", "lstm_batch_first", "gru_batch_first",
                                           "gru_bidir", "rnn_tanh", "rnn_relu_batch_first"));

}  // namespace
}  // namespace qforge::testing
