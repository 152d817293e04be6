// The graph's requantization rule (ir::Requantization): the same integer
// Gemm gives QUANT_SPEC 3's fixed-point result on a graph of the default
// rule and ONNX Runtime's float result on a graph read from ONNX, and the two
// differ (by at most one step) where double rounding bites.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "io/onnx/onnx_reader.h"
#include "ir/graph.h"
#include "kernels/evaluate.h"
#include "qscheme/arithmetic.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

constexpr int64_t kM = 64, kK = 16, kN = 64;

struct GemmCase {
  ir::Graph graph;
  ir::NodeId node = 0;
  Tensor x;
};

GemmCase MakeGemm(std::mt19937* rng, float sx, float sy, const std::vector<float>& sw) {
  GemmCase c;
  ir::Graph& g = c.graph;
  std::uniform_int_distribution<int> q(-128, 127);
  c.x = Tensor(DataType::kInt8, {kM, kK});
  for (int8_t& v : c.x.span<int8_t>()) v = static_cast<int8_t>(q(*rng));
  c.x.set_quant({{sx}, {3}, -1});
  Tensor w(DataType::kInt8, {kN, kK});
  for (int8_t& v : w.span<int8_t>()) v = static_cast<int8_t>(std::clamp(q(*rng), -127, 127));
  QuantParams wq;
  wq.scale = sw;
  wq.zero_point.assign(sw.size(), 0);
  wq.axis = 0;
  w.set_quant(wq);
  ir::TensorType xt;
  xt.dtype = DataType::kInt8;
  xt.rank_known = true;
  xt.dims = {kM, kK};
  xt.quant = c.x.quant();
  const ir::ValueId xv = g.AddValue("x", xt);
  const ir::ValueId wv = g.AddConstant("w", std::move(w));
  ir::TensorType yt = xt;
  yt.dims = {kM, kN};
  yt.quant = {{sy}, {-5}, -1};
  const ir::ValueId yv = g.AddValue("y", yt);
  ir::Node n{"gemm", OpKind::kGemm, {xv, wv}, {yv}, {}, false};
  n.attrs.Set("transB", int64_t{1});
  c.node = g.AddNode(std::move(n));
  g.inputs = {xv};
  g.outputs = {yv};
  return c;
}

TEST(RequantizationRule, FixedPointIsQuantSpecAndFloatIsOnnxRuntime) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> scale(0.2f, 2.0f);
  std::vector<float> sw(kN);
  for (float& s : sw) s = 0.01f * scale(rng);
  const float sx = 0.05f * scale(rng), sy = 0.001f * scale(rng);  // M ~ 0.1 .. 5
  GemmCase c = MakeGemm(&rng, sx, sy, sw);
  const Tensor* w = c.graph.value(c.graph.node(c.node).inputs[1]).constant.get();

  std::vector<Tensor> fixed, flt;
  ASSERT_TRUE(kernels::EvaluateNode(c.graph, c.graph.node(c.node), {&c.x, w}, &fixed).ok());
  c.graph.requantization = ir::Requantization::kFloat;
  ASSERT_TRUE(kernels::EvaluateNode(c.graph, c.graph.node(c.node), {&c.x, w}, &flt).ok());

  int differ = 0;
  for (int64_t r = 0; r < kM; ++r) {
    for (int64_t n = 0; n < kN; ++n) {
      int32_t acc = 0;
      for (int64_t k = 0; k < kK; ++k) {
        acc += (c.x.data<int8_t>()[r * kK + k] - 3) * w->data<int8_t>()[n * kK + k];
      }
      auto m = quant::QuantizeMultiplier(static_cast<double>(sx) * sw[static_cast<size_t>(n)] / sy);
      ASSERT_TRUE(m.ok());
      const int32_t want_fixed =
          std::clamp(-5 + quant::MultiplyByQuantizedMultiplier(acc, m->multiplier, m->shift), -128, 127);
      const int32_t want_float =
          quant::RequantizeFloat(acc, sx * sw[static_cast<size_t>(n)] / sy, -5, -128, 127);
      EXPECT_EQ(fixed[0].data<int8_t>()[r * kN + n], want_fixed) << "row " << r << " channel " << n;
      EXPECT_EQ(flt[0].data<int8_t>()[r * kN + n], want_float) << "row " << r << " channel " << n;
      EXPECT_LE(std::abs(want_fixed - want_float), 1);
      differ += want_fixed != want_float;
    }
  }
  // Not a vacuous comparison: pick a seed where the rules part somewhere.
  EXPECT_GT(differ, 0);
}

TEST(RequantizationRule, OnnxFilesReadWithTheFloatRule) {
  Result<std::unique_ptr<ir::Graph>> g = io::ReadOnnx(SourcePath("tests/models/data/torch_qdq_small.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ((*g)->requantization, ir::Requantization::kFloat);
  EXPECT_EQ(ir::Graph().requantization, ir::Requantization::kFixedPoint);
}

}  // namespace
}  // namespace qforge::testing
