// EliminateQdqPairs: DequantizeLinear -> QuantizeLinear pairs between integer
// ops, identity Requantizes and Requantize chains, on a synthetic graph
// under both requantization rules and on real quantized models. Exact
// rewrites are checked bit for bit, the one-step ones in steps of the
// output scale.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "passes/eliminate_qdq.h"
#include "passes_test_util.h"
#include "tflite_writer_test_util.h"

namespace qforge {
namespace {

using passes_test::CountOps;
using passes_test::NodeNamed;
using passes_test::RandomInputs;
using passes_test::RunGraph;

ir::TensorType TypeOf(DataType dtype, std::vector<int64_t> dims, QuantParams q = {}) {
  ir::TensorType t;
  t.dtype = dtype;
  t.rank_known = !dims.empty();  // empty: left to shape inference
  t.dims = std::move(dims);
  t.quant = std::move(q);
  return t;
}

QuantParams PerTensor(float scale, int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

ir::ValueId AddNode(ir::Graph* g, const std::string& name, OpKind op, std::vector<ir::ValueId> ins,
                    ir::TensorType out) {
  const ir::ValueId y = g->AddValue(name + "_out", std::move(out));
  ir::Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(ins);
  n.outputs = {y};
  g->AddNode(std::move(n));
  return y;
}

ir::ValueId Scalar(ir::Graph* g, const std::string& name, DataType dtype, double v) {
  return g->AddConstant(name, testing::MakeTensor(dtype, {}, {v}));
}

ir::ValueId Qdq(ir::Graph* g, const std::string& name, OpKind op, ir::ValueId in, DataType qtype,
                const QuantParams& p, const std::vector<int64_t>& dims) {
  const bool quantize = op == OpKind::kQuantizeLinear;
  return AddNode(g, name, op,
                 {in, Scalar(g, name + "_s", DataType::kFloat32, p.scale[0]),
                  Scalar(g, name + "_z", qtype, static_cast<double>(p.zero_point[0]))},
                 quantize ? TypeOf(qtype, dims, p) : TypeOf(DataType::kFloat32, dims));
}

ir::ValueId Requantize(ir::Graph* g, const std::string& name, ir::ValueId in, DataType dtype,
                       const QuantParams& p) {
  return AddNode(g, name, OpKind::kRequantize, {in}, TypeOf(dtype, g->value(in).type.dims, p));
}

// Output i's quantization (the Dequantize feeding it), for step counting.
struct Out {
  ir::ValueId value;
  float scale;
};

// x -> Q(0.02, 5) = q -> DQ = f; f read by a float Relu (so the DQ stays) and by
//   Q(0.02, 5) (identity pair) -> MaxPool, Q(0.03, -2) (-> Requantize) -> MaxPool;
// q -> Requantize uint8 (0.02, 133) -> Requantize (0.04, 0): exact chain;
// q -> Requantize (0.02, 5): identity;
// q -> Requantize (0.03, 0) -> Requantize (0.05, 3): chain within a step;
// q -> Requantize (0.01, 0) (saturates) -> Requantize (0.02, 0): kept.
ir::Graph SyntheticGraph(std::vector<Out>* outs) {
  ir::Graph g;
  const std::vector<int64_t> dims = {2, 3, 6, 6};
  const ir::ValueId x = g.AddValue("x", TypeOf(DataType::kFloat32, dims));
  g.inputs = {x};
  const QuantParams xq = PerTensor(0.02f, 5);
  const ir::ValueId q = Qdq(&g, "quantize", OpKind::kQuantizeLinear, x, DataType::kInt8, xq, dims);
  const ir::ValueId f = Qdq(&g, "dequantize", OpKind::kDequantizeLinear, q, DataType::kInt8, xq, dims);
  auto out = [&](const std::string& name, ir::ValueId v) {
    const QuantParams& p = g.value(v).type.quant;
    const DataType t = g.value(v).type.dtype;
    outs->push_back({Qdq(&g, name, OpKind::kDequantizeLinear, v, t, p, g.value(v).type.dims), p.scale[0]});
  };
  outs->push_back({AddNode(&g, "relu", OpKind::kRelu, {f}, TypeOf(DataType::kFloat32, dims)), 0.02f});
  ir::Attributes pool;
  pool.Set("kernel_shape", std::vector<int64_t>{2, 2});
  const QuantParams other = PerTensor(0.03f, -2);
  for (const auto& [name, p] : {std::pair{std::string("same"), xq}, std::pair{std::string("other"), other}}) {
    const ir::ValueId qq = Qdq(&g, "q_" + name, OpKind::kQuantizeLinear, f, DataType::kInt8, p, dims);
    const ir::ValueId m = AddNode(&g, "max_" + name, OpKind::kMaxPool, {qq}, TypeOf(DataType::kInt8, {}, p));
    g.node(g.value(m).producer).attrs = pool;
    out("dq_" + name, m);
  }
  const ir::ValueId u = Requantize(&g, "to_uint8", q, DataType::kUInt8, PerTensor(0.02f, 133));
  out("dq_exact_chain", Requantize(&g, "from_uint8", u, DataType::kInt8, PerTensor(0.04f, 0)));
  out("dq_identity", Requantize(&g, "identity", q, DataType::kInt8, xq));
  const ir::ValueId c = Requantize(&g, "chain_a", q, DataType::kInt8, PerTensor(0.03f, 0));
  out("dq_chain", Requantize(&g, "chain_b", c, DataType::kInt8, PerTensor(0.05f, 3)));
  const ir::ValueId s = Requantize(&g, "saturating_a", q, DataType::kInt8, PerTensor(0.01f, 0));
  out("dq_saturating", Requantize(&g, "saturating_b", s, DataType::kInt8, PerTensor(0.02f, 0)));
  for (const Out& o : *outs) g.outputs.push_back(o.value);
  return g;
}

// Largest |difference| of output i in steps of its scale.
std::vector<double> StepDiffs(const ir::Graph& before, const ir::Graph& after, const std::vector<Out>& outs,
                              uint32_t seed) {
  const std::vector<Tensor> inputs = RandomInputs(before, seed);
  auto want = RunGraph(before, inputs);
  auto got = RunGraph(after, inputs);
  EXPECT_TRUE(want.ok() && got.ok());
  std::vector<double> d(outs.size(), -1.0);
  if (!want.ok() || !got.ok()) return d;
  for (size_t i = 0; i < outs.size(); ++i) {
    const auto a = (*want)[i].span<float>();
    const auto b = (*got)[i].span<float>();
    EXPECT_EQ(a.size(), b.size());
    d[i] = 0.0;
    for (size_t k = 0; k < a.size() && k < b.size(); ++k)
      d[i] = std::max(d[i], std::fabs(static_cast<double>(a[k]) - b[k]) / outs[i].scale);
  }
  return d;
}

// Half a float32 ulp of the dequantized values, in steps.
constexpr double kStepSlack = 1e-4;

TEST(EliminateQdqTest, SyntheticBothRules) {
  std::vector<Out> outs;
  const ir::Graph graph = SyntheticGraph(&outs);
  ASSERT_TRUE(ir::VerifyGraph(graph).ok());
  for (ir::Requantization rule : {ir::Requantization::kFloat, ir::Requantization::kFixedPoint}) {
    SCOPED_TRACE(rule == ir::Requantization::kFloat ? "float rule" : "fixed-point rule");
    ir::Graph before = graph;
    before.requantization = rule;
    ir::Graph after = before;
    passes::EliminateQdqReport r;
    ASSERT_TRUE(passes::EliminateQdqPairs(&after, &r).ok());
    EXPECT_EQ(r.pairs_removed, 1);
    EXPECT_EQ(r.pairs_requantized, 1);
    EXPECT_EQ(r.identities_removed, 1);
    EXPECT_EQ(r.chains_merged, 2);
    EXPECT_EQ(r.dequantizes_removed, 0);  // the Relu still reads it
    EXPECT_EQ(CountOps(after, OpKind::kQuantizeLinear), 1);
    EXPECT_EQ(CountOps(after, OpKind::kRequantize), 5);
    EXPECT_EQ(NodeNamed(after, "to_uint8"), nullptr);
    EXPECT_EQ(NodeNamed(after, "chain_a"), nullptr);
    EXPECT_NE(NodeNamed(after, "saturating_a"), nullptr);
    for (uint32_t seed : {1u, 2u}) {
      const std::vector<double> d = StepDiffs(before, after, outs, seed);
      // relu, same, other, exact chain, identity, chain, saturating
      const bool float_rule = rule == ir::Requantization::kFloat;
      const std::vector<double> limit = {0, 0, float_rule ? 0 : 1 + kStepSlack, 0, 0, 1 + kStepSlack, 0};
      for (size_t i = 0; i < d.size(); ++i) EXPECT_LE(d[i], limit[i]) << "output " << i;
    }
  }
}

// Real quantized models: qforge's quantizer (and FoldQdq on QDQ files)
// leave no pairs, so the pass must change nothing; with a DQ -> Q round
// trip inserted after every integer Conv (what an unfused QDQ graph holds
// between two ops), it removes them all, bit-exact.
TEST(EliminateQdqTest, RealModelsNoOpAndInsertedPairs) {
  for (const char* name : {"cnn", "mobilenet"}) {
    SCOPED_TRACE(name);
    Result<ir::Graph> q = tflite_writer_test::Quantized(name, quant::QuantMode::kInt8);
    ASSERT_TRUE(q.ok()) << q.status().message();
    ir::Graph same = *q;
    passes::EliminateQdqReport none;
    ASSERT_TRUE(passes::EliminateQdqPairs(&same, &none).ok());
    EXPECT_EQ(none.total(), 0);
    ir::Graph with_pairs = *q;
    const size_t n = with_pairs.nodes.size();
    int inserted = 0;
    for (size_t i = 0; i < n; ++i) {
      const ir::Node node = with_pairs.nodes[i];
      if (node.removed || node.op != OpKind::kConv) continue;
      const ir::ValueId y = node.outputs[0];
      const ir::TensorType t = with_pairs.value(y).type;
      if (t.dtype != DataType::kInt8 || t.quant.empty()) continue;
      const std::string s = std::to_string(i);
      const ir::ValueId f =
          Qdq(&with_pairs, "pair_dq" + s, OpKind::kDequantizeLinear, y, DataType::kInt8, t.quant, t.dims);
      const ir::ValueId back =
          Qdq(&with_pairs, "pair_q" + s, OpKind::kQuantizeLinear, f, DataType::kInt8, t.quant, t.dims);
      for (ir::Node& c : with_pairs.nodes) {
        if (c.removed || c.name == "pair_dq" + s) continue;
        for (ir::ValueId& in : c.inputs) in = in == y ? back : in;
      }
      ++inserted;
    }
    ASSERT_GT(inserted, 0);
    ASSERT_TRUE(with_pairs.TopologicalSort().ok());
    ASSERT_TRUE(ir::VerifyGraph(with_pairs).ok());
    ir::Graph after = with_pairs;
    passes::EliminateQdqReport r;
    ASSERT_TRUE(passes::EliminateQdqPairs(&after, &r).ok());
    EXPECT_EQ(r.pairs_removed, inserted);
    EXPECT_EQ(r.dequantizes_removed, inserted);
    EXPECT_EQ(passes_test::LiveNodes(after), passes_test::LiveNodes(*q));
    auto images = passes_test::FashionImages();
    ASSERT_TRUE(images.ok());
    passes_test::ExpectSameOutputs(with_pairs, after, {*images}, 0.0);
  }
}

}  // namespace
}  // namespace qforge
