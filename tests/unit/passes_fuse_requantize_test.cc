// FuseRequantize: an integer op read only by a Requantize writes the
// Requantize's output itself. One rounding instead of two: the fused value
// is within one step of the Requantize's output, compared element by
// element at that value (same name before and after), on synthetic graphs
// and on a quantized model whose Concat inputs get Requantizes (both the
// fixed-point rule and the float rule of QDQ files).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "passes/fuse_requantize.h"
#include "passes_test_util.h"
#include "quant/fused_activation.h"
#include "tflite_writer_test_util.h"

namespace qforge {
namespace {

using passes_test::CountOps;
using passes_test::NodeNamed;
using passes_test::RandomInputs;

// One rounding replaces two: at most one step apart (the pass's contract).
constexpr int64_t kMaxStepDiff = 1;

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
                    ir::TensorType out, ir::Attributes attrs = {}) {
  const ir::ValueId y = g->AddValue(name + "_out", std::move(out));
  ir::Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(ins);
  n.outputs = {y};
  n.attrs = std::move(attrs);
  g->AddNode(std::move(n));
  return y;
}

ir::ValueId Scalar(ir::Graph* g, const std::string& name, DataType dtype, double v) {
  return g->AddConstant(name, testing::MakeTensor(dtype, {}, {v}));
}

// Every integer tensor a run produces, by value name.
std::map<std::string, Tensor> IntegerValues(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  std::map<std::string, Tensor> out;
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  interp.set_observer([&](const ir::Node& n, std::span<Tensor* const> outs) {
    for (size_t i = 0; i < outs.size() && i < n.outputs.size(); ++i) {
      if (outs[i] != nullptr && outs[i]->dtype() != DataType::kFloat32)
        out[interp.graph().value(n.outputs[i]).name] = outs[i]->Clone();  // the arena is reused
    }
  });
  auto r = interp.Run(inputs);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return out;
}

// Runs both graphs and compares, at every Requantize output of `before`
// that `after` computes in one step, the integer values. Returns the number
// of elements compared and the largest difference; `differ` gets how many
// elements moved.
struct StepDiff {
  int64_t compared = 0;
  int64_t max_diff = 0;
  int64_t differ = 0;
};
StepDiff CompareFused(const ir::Graph& before, const ir::Graph& after, const std::vector<Tensor>& inputs) {
  const auto want = IntegerValues(before, inputs);
  const auto got = IntegerValues(after, inputs);
  StepDiff d;
  for (const ir::Node& n : before.nodes) {
    if (n.removed || n.op != OpKind::kRequantize) continue;
    const std::string name = before.value(n.outputs[0]).name;
    const ir::Node* p = passes_test::ProducerOf(after, name);
    if (p == nullptr || p->op == OpKind::kRequantize) continue;  // not fused
    const auto w = want.find(name);
    const auto g = got.find(name);
    EXPECT_TRUE(w != want.end() && g != got.end()) << name;
    if (w == want.end() || g == got.end()) continue;
    EXPECT_EQ(w->second.dims(), g->second.dims()) << name;
    for (int64_t i = 0; i < w->second.num_elements(); ++i) {
      const int64_t diff = std::llabs(IntElement(w->second, i) - IntElement(g->second, i));
      d.max_diff = std::max(d.max_diff, diff);
      d.differ += diff != 0;
      ++d.compared;
    }
  }
  return d;
}

// x -> Q(0.02, 5) -> Conv (S 0.03, Z -10, Relu6: the int8 range cuts at
// 4.11 first) -> Requantize (0.05, 20);
//                 -> GlobalAveragePool (0.025, 0) -> Requantize (0.03, -4);
//                 -> Add(q, q) (0.04, 0) -> Requantize (0.01, 0): finer, kept.
ir::Graph SyntheticGraph() {
  ir::Graph g;
  const QuantParams xq = PerTensor(0.02f, 5);
  const ir::ValueId x = g.AddValue("x", TypeOf(DataType::kFloat32, {2, 3, 6, 6}));
  g.inputs = {x};
  const ir::ValueId q =
      AddNode(&g, "quantize", OpKind::kQuantizeLinear,
              {x, Scalar(&g, "xs", DataType::kFloat32, 0.02), Scalar(&g, "xz", DataType::kInt8, 5)},
              TypeOf(DataType::kInt8, {2, 3, 6, 6}, xq));
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> wdist(-127, 127);
  Tensor w(DataType::kInt8, {8, 3, 3, 3});
  for (int8_t& v : w.span<int8_t>()) v = static_cast<int8_t>(wdist(rng));
  QuantParams wq;
  for (int c = 0; c < 8; ++c) {
    wq.scale.push_back(0.004f + 0.001f * static_cast<float>(c));
    wq.zero_point.push_back(0);
  }
  wq.axis = 0;
  w.set_quant(wq);
  ir::Attributes conv_attrs;
  conv_attrs.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  conv_attrs.Set(quant::kActivationMin, 0.0f);
  conv_attrs.Set(quant::kActivationMax, 6.0f);
  const ir::ValueId conv = AddNode(&g, "conv", OpKind::kConv, {q, g.AddConstant("w", std::move(w))},
                                   TypeOf(DataType::kInt8, {}, PerTensor(0.03f, -10)), conv_attrs);
  const ir::ValueId gap =
      AddNode(&g, "gap", OpKind::kGlobalAveragePool, {q}, TypeOf(DataType::kInt8, {}, PerTensor(0.025f, 0)));
  const ir::ValueId add =
      AddNode(&g, "add", OpKind::kAdd, {q, q}, TypeOf(DataType::kInt8, {}, PerTensor(0.04f, 0)));
  const std::vector<std::pair<ir::ValueId, QuantParams>> rqs = {
      {conv, PerTensor(0.05f, 20)}, {gap, PerTensor(0.03f, -4)}, {add, PerTensor(0.01f, 0)}};
  for (size_t i = 0; i < rqs.size(); ++i) {
    const std::string s = std::to_string(i);
    const QuantParams& p = rqs[i].second;
    const ir::ValueId r =
        AddNode(&g, "requantize" + s, OpKind::kRequantize, {rqs[i].first}, TypeOf(DataType::kInt8, {}, p));
    g.outputs.push_back(AddNode(&g, "dequantize" + s, OpKind::kDequantizeLinear,
                                {r, Scalar(&g, "s" + s, DataType::kFloat32, p.scale[0]),
                                 Scalar(&g, "z" + s, DataType::kInt8, static_cast<double>(p.zero_point[0]))},
                                TypeOf(DataType::kFloat32, {})));
  }
  return g;
}

TEST(FuseRequantizeTest, SyntheticConvAndPoolFusedAddKept) {
  const ir::Graph before = SyntheticGraph();
  ASSERT_TRUE(ir::VerifyGraph(before).ok());
  for (ir::Requantization rule : {ir::Requantization::kFixedPoint, ir::Requantization::kFloat}) {
    ir::Graph b = before;
    b.requantization = rule;
    ir::Graph after = b;
    passes::FuseRequantizeReport r;
    ASSERT_TRUE(passes::FuseRequantize(&after, &r).ok());
    EXPECT_EQ(r.fused, 2);
    EXPECT_EQ(r.skipped_finer_scale, 1);
    EXPECT_EQ(CountOps(after, OpKind::kRequantize), 1);
    EXPECT_NE(NodeNamed(after, "requantize2"), nullptr);
    // The Relu6 bound became the int8 ceiling of the intermediate: (127 + 10) * 0.03.
    const ir::Node* conv = NodeNamed(after, "conv");
    ASSERT_NE(conv, nullptr);
    EXPECT_NEAR(conv->attrs.GetFloat(quant::kActivationMax, 0.0f), 4.11f, 1e-5f);
    EXPECT_EQ(conv->attrs.GetFloat(quant::kActivationMin, -1.0f), 0.0f);
    const StepDiff d = CompareFused(b, after, RandomInputs(b, 12));
    EXPECT_EQ(d.compared, 2 * 8 * 6 * 6 + 2 * 3);
    EXPECT_LE(d.max_diff, kMaxStepDiff);
    EXPECT_GT(d.differ, 0) << "one rounding instead of two should move some values";
  }
}

// Min/max ranges of every float value on `inputs` (a calibration for the
// layout models, which have no data set of their own).
std::map<std::string, quant::ValueRange> MinMaxRanges(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  std::map<std::string, quant::ValueRange> ranges;
  auto note = [&](const std::string& name, const Tensor& t) {
    if (t.dtype() != DataType::kFloat32 || t.num_elements() == 0) return;
    auto [it, fresh] = ranges.try_emplace(name, quant::ValueRange{t.span<float>()[0], t.span<float>()[0]});
    for (float v : t.span<float>()) {
      it->second.min = std::min(it->second.min, v);
      it->second.max = std::max(it->second.max, v);
    }
  };
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  interp.set_observer([&](const ir::Node& n, std::span<Tensor* const> outs) {
    for (size_t i = 0; i < outs.size() && i < n.outputs.size(); ++i) {
      if (outs[i] != nullptr) note(g.value(n.outputs[i]).name, *outs[i]);
    }
  });
  for (size_t i = 0; i < inputs.size(); ++i) note(g.value(g.inputs[i]).name, inputs[i]);
  auto r = interp.Run(inputs);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return ranges;
}

// concat_channels: two Convs (with Relu) concatenated; their ranges differ
// from the Concat's, so the quantizer gives each a Requantize.
Result<ir::Graph> QuantizedConcat(DataType activations) {
  auto g = tflite_writer_test::LayoutModel("concat_channels");
  if (!g) return InvalidArgument("cannot load concat_channels");
  QF_RETURN_IF_ERROR(passes::PrepareForQuantization(g.get()));
  quant::QuantizeOptions opt;
  opt.mode = quant::QuantMode::kInt8;
  opt.activation_type = activations;
  opt.ranges = MinMaxRanges(*g, RandomInputs(*g, 13));
  return quant::QuantizeGraph(*g, opt, nullptr);
}

void ExpectRealCaseFuses(const ir::Graph& before, const char* what) {
  SCOPED_TRACE(what);
  const int requantizes = CountOps(before, OpKind::kRequantize);
  ASSERT_GT(requantizes, 0);
  ir::Graph after = before;
  passes::FuseRequantizeReport r;
  ASSERT_TRUE(passes::FuseRequantize(&after, &r).ok());
  EXPECT_GT(r.fused, 0);
  EXPECT_EQ(CountOps(after, OpKind::kRequantize), requantizes - r.fused);
  StepDiff d;
  for (uint32_t seed = 20; seed < 24; ++seed) {
    const StepDiff s = CompareFused(before, after, RandomInputs(before, seed));
    d.compared += s.compared;
    d.differ += s.differ;
    d.max_diff = std::max(d.max_diff, s.max_diff);
  }
  EXPECT_GT(d.compared, 0);
  EXPECT_LE(d.max_diff, kMaxStepDiff);
  std::printf(
      "[ %s ] Requantize %d, fused %d, finer-scale skips %d; %lld of %lld fused values moved, max %lld\n",
      what, requantizes, r.fused, r.skipped_finer_scale, static_cast<long long>(d.differ),
      static_cast<long long>(d.compared), static_cast<long long>(d.max_diff));
}

TEST(FuseRequantizeTest, QuantizedConcatFixedPointInt8AndUint8) {
  for (DataType act : {DataType::kInt8, DataType::kUInt8}) {
    Result<ir::Graph> q = QuantizedConcat(act);
    ASSERT_TRUE(q.ok()) << q.status().message();
    ExpectRealCaseFuses(*q, act == DataType::kInt8 ? "concat int8" : "concat uint8");
  }
}

// The same model as a QDQ file read back: the float rule, and FoldQdq's
// Requantizes before the Concat.
TEST(FuseRequantizeTest, QdqConcatFloatRule) {
  Result<ir::Graph> q = QuantizedConcat(DataType::kInt8);
  ASSERT_TRUE(q.ok()) << q.status().message();
  Result<std::string> bytes = io::SerializeOnnx(*q);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto read = io::ReadOnnxFromBytes(*bytes, "concat_qdq.onnx", "");
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ((*read)->requantization, ir::Requantization::kFloat);
  ExpectRealCaseFuses(**read, "concat QDQ");
}

}  // namespace
}  // namespace qforge
