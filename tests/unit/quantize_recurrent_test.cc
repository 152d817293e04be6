// The weight modes on PyTorch-exported LSTM, GRU and RNN models
// (tests/data/recurrent): W and R are stored int8 per gate row (weight-only,
// and dynamic, which has no hybrid recurrent kernel) or float16, and the
// quantized model still computes what PyTorch did, within the weights'
// rounding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "ir/graph.h"
#include "qforge/model.h"
#include "qforge/quantize.h"
#include "qforge/runtime.h"
#include "test_util.h"

namespace qforge {
namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return fs::path(QFORGE_SOURCE_DIR) / "tests" / "data" / "recurrent"; }

std::vector<Tensor> ReadNumbered(const std::string& name, const std::string& kind) {
  return testing::ReadNumberedNpy(DataDir().string(), name, kind);
}

// max |a - b| / max |b|: the error relative to the output's scale.
double ScaledError(const Tensor& a, const Tensor& b) {
  double err = 0, scale = 0;
  for (int64_t i = 0; i < b.num_elements(); ++i) {
    err = std::max(err, static_cast<double>(std::fabs(a.data<float>()[i] - b.data<float>()[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(b.data<float>()[i])));
  }
  return err / std::max(scale, 1e-6);
}

// The op feeding input `slot` of the graph's recurrent nodes.
std::vector<OpKind> WeightProducers(const ir::Graph& g, size_t slot) {
  std::vector<OpKind> ops;
  for (const ir::Node& n : g.nodes) {
    if (n.op != OpKind::kLSTM && n.op != OpKind::kGRU && n.op != OpKind::kRNN) continue;
    const ir::ValueId w = n.input(slot);
    ops.push_back(g.value(w).producer == ir::kNoNode ? OpKind::kCount : g.nodes[g.value(w).producer].op);
  }
  return ops;
}

class QuantizeRecurrent : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantizeRecurrent, WeightModesStoreWAndRSmallAndMatchPyTorch) {
  const std::string name = GetParam();
  Result<Model> model = Model::Load((DataDir() / (name + ".onnx")).string());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::vector<Tensor> inputs = ReadNumbered(name, "in");
  const std::vector<Tensor> want = ReadNumbered(name, "torch");
  for (QuantizeMode mode : {QuantizeMode::kWeightOnly, QuantizeMode::kDynamic, QuantizeMode::kFloat16}) {
    SCOPED_TRACE(QuantizeModeName(mode));
    QuantizeOptions o;
    o.mode = mode;
    Result<QuantizeResult> q = Quantize(*model, o);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    int recurrent = 0;
    for (const NodeReport& n : q->report.nodes) {
      recurrent += (n.op == "LSTM" || n.op == "GRU" || n.op == "RNN") && n.quantized;
    }
    EXPECT_GE(recurrent, 1);
    const OpKind producer = mode == QuantizeMode::kFloat16 ? OpKind::kCast : OpKind::kDequantizeLinear;
    for (size_t slot : {1, 2}) {
      for (OpKind op : WeightProducers(q->model.graph(), slot)) EXPECT_EQ(op, producer) << "input " << slot;
    }
    Result<Session> s = Session::Create(q->model);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Result<std::vector<Tensor>> got = s->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want.size());
    // Measured on these six models: int8 weights per gate row move the
    // outputs by at most 0.46% of their range, float16 weights by 0.075%.
    const double tolerance = mode == QuantizeMode::kFloat16 ? 1.5e-3 : 0.01;
    for (size_t k = 0; k < want.size(); ++k) {
      const double err = ScaledError((*got)[k], want[k]);
      EXPECT_LE(err, tolerance) << "output " << k;
      std::printf("%s %s output %zu: error %.4g of the output range\n", name.c_str(), QuantizeModeName(mode),
                  k, err);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Exported, QuantizeRecurrent,
                         ::testing::Values("lstm_bidir_2layer", "lstm_batch_first", "gru_batch_first",
                                           "gru_bidir", "rnn_tanh", "rnn_relu_batch_first"));

}  // namespace
}  // namespace qforge
