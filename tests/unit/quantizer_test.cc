// The quantizer (src/quant/quantizer.h) in every mode, on the bundled
// Fashion-MNIST models calibrated with real images, and on small graphs
// built here for the error paths.
#include "quant/quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "io/data/dataset.h"
#include "passes/pipelines.h"
#include "qforge/model.h"
#include "qforge/runtime.h"
#include "quant/calibration/calibration.h"
#include "test_util.h"

namespace qforge {
namespace {

using quant::QuantizeOptions;
using quant::QuantizeReport;
using quant::QuantMode;

std::shared_ptr<ir::Graph> Prepared(const std::string& model) {
  Result<Model> m = Model::Load(testing::SourcePath("models/" + model + ".onnx"));
  EXPECT_TRUE(m.ok()) << m.status().message();
  auto g = std::make_shared<ir::Graph>(m->graph());
  Status s = passes::PrepareForQuantization(g.get());
  EXPECT_TRUE(s.ok()) << s.message();
  return g;
}

// 32 Fashion-MNIST test images, preprocessed as the models were trained (x / 255).
Tensor Images() {
  Result<Tensor> u8 = io::ReadNpy(testing::SourcePath("tests/models/data/fashion_t10k_first32_images.npy"));
  EXPECT_TRUE(u8.ok()) << u8.status().message();
  Tensor x(DataType::kFloat32, {32, 1, 28, 28});
  for (int64_t i = 0; i < x.num_elements(); ++i)
    x.data<float>()[i] = static_cast<float>(u8->data<uint8_t>()[i]) / 255.0f;
  return x;
}

std::map<std::string, quant::ValueRange> Calibrated(std::shared_ptr<const ir::Graph> g) {
  io::DataSpec spec;
  spec.path = testing::SourcePath("models/calib/fashion_train100.npy");  // training images: not the test set
  auto ds = io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32);
  EXPECT_TRUE(ds.ok());
  quant::CalibrateOptions co;
  co.count = 32;
  Result<quant::CalibrationStats> stats = quant::Calibrate(g, **ds, co);
  EXPECT_TRUE(stats.ok()) << stats.status().message();
  auto ranges = quant::ComputeRanges(*stats, {});
  EXPECT_TRUE(ranges.ok());
  std::map<std::string, quant::ValueRange> out;
  for (const auto& [name, r] : *ranges) out[name] = {r.min, r.max};
  return out;
}

Tensor RunGraph(const ir::Graph& g, const Tensor& input) {
  Model m(std::make_shared<ir::Graph>(g));
  Result<Session> s = Session::Create(m);
  EXPECT_TRUE(s.ok()) << s.status().message();
  Result<std::vector<Tensor>> out = s->Run({&input, 1});
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? std::move((*out)[0]) : Tensor();
}

int Argmax(const Tensor& logits, int64_t row) {
  const int64_t n = logits.dim(1);
  int best = 0;
  for (int64_t j = 1; j < n; ++j) {
    if (testing::At(logits, row * n + j) > testing::At(logits, row * n + best)) best = static_cast<int>(j);
  }
  return best;
}

// Fraction of rows whose argmax agrees, and max |a - b| relative to the float range.
void ExpectClose(const Tensor& quantized, const Tensor& reference, double min_agree, double max_rel) {
  ASSERT_EQ(quantized.dims(), reference.dims());
  int agree = 0;
  double range = 0.0, err = 0.0;
  for (int64_t i = 0; i < reference.num_elements(); ++i) {
    range = std::max(range, std::fabs(testing::At(reference, i)));
    err = std::max(err, std::fabs(testing::At(quantized, i) - testing::At(reference, i)));
  }
  for (int64_t r = 0; r < reference.dim(0); ++r) agree += Argmax(quantized, r) == Argmax(reference, r);
  EXPECT_GE(agree, min_agree * static_cast<double>(reference.dim(0)));
  EXPECT_LE(err / range, max_rel) << "max abs error " << err << " over range " << range;
}

int CountOp(const ir::Graph& g, OpKind op) {
  return static_cast<int>(
      std::count_if(g.nodes.begin(), g.nodes.end(), [&](const ir::Node& n) { return n.op == op; }));
}

TEST(Quantizer, Int8OnCnnIsIntegerBetweenQuantizeAndDequantize) {
  auto g = Prepared("cnn");
  QuantizeOptions opt;
  opt.ranges = Calibrated(g);
  QuantizeReport report;
  Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, &report);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(report.nodes_float, 0);
  EXPECT_EQ(report.quantized_by_op["Conv"], 2);
  EXPECT_EQ(report.quantized_by_op["Gemm"], 2);
  EXPECT_EQ(CountOp(*q, OpKind::kQuantizeLinear), 1);
  EXPECT_EQ(CountOp(*q, OpKind::kDequantizeLinear), 1);
  for (const ir::Node& n : q->nodes) {
    if (n.op != OpKind::kConv && n.op != OpKind::kGemm) continue;
    const ir::Value& x = q->value(n.inputs[0]);
    const ir::Value& w = q->value(n.inputs[1]);
    const ir::Value& b = q->value(n.inputs[2]);
    EXPECT_EQ(x.type.dtype, DataType::kInt8);
    ASSERT_TRUE(w.is_constant());
    EXPECT_EQ(w.type.dtype, DataType::kInt8);
    EXPECT_EQ(w.type.quant.axis, 0) << "per output channel (Conv OIHW, Gemm transB = 1)";
    EXPECT_EQ(static_cast<int64_t>(w.type.quant.scale.size()), w.type.dims[0]);
    for (int8_t v : w.constant->span<int8_t>()) EXPECT_GE(v, -127) << "narrow range";
    EXPECT_EQ(b.type.dtype, DataType::kInt32);
    for (size_t c = 0; c < b.type.quant.scale.size(); ++c) {
      EXPECT_FLOAT_EQ(b.type.quant.scale[c], x.type.quant.scale[0] * w.type.quant.scale[c]);
    }
    EXPECT_EQ(q->value(n.outputs[0]).type.dtype, DataType::kInt8);
  }
  // I/O stays float and keeps its names.
  EXPECT_EQ(q->value(q->inputs[0]).type.dtype, DataType::kFloat32);
  EXPECT_EQ(q->value(q->outputs[0]).name, "logits");
  EXPECT_EQ(q->value(q->outputs[0]).type.dtype, DataType::kFloat32);
  EXPECT_GT(report.weight_bytes_before, 3.9 * static_cast<double>(report.weight_bytes_after));

  const Tensor images = Images();
  ExpectClose(RunGraph(*q, images), RunGraph(*g, images), 31.0 / 32.0, 0.05);
}

TEST(Quantizer, Int8OnlyHasIntegerIoAndUint8IoConvertsAtTheBoundary) {
  auto g = Prepared("mobilenet");
  QuantizeOptions opt;
  opt.mode = QuantMode::kInt8Only;
  opt.ranges = Calibrated(g);
  Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->value(q->inputs[0]).type.dtype, DataType::kInt8);
  EXPECT_EQ(q->value(q->inputs[0]).name, "input");
  EXPECT_EQ(q->value(q->outputs[0]).type.dtype, DataType::kInt8);
  EXPECT_EQ(CountOp(*q, OpKind::kQuantizeLinear) + CountOp(*q, OpKind::kDequantizeLinear), 0);

  opt.io_type = DataType::kUInt8;
  Result<ir::Graph> qu = quant::QuantizeGraph(*g, opt, nullptr);
  ASSERT_TRUE(qu.ok()) << qu.status().message();
  const ir::Value& in = qu->value(qu->inputs[0]);
  const ir::Value& out = qu->value(qu->outputs[0]);
  EXPECT_EQ(in.type.dtype, DataType::kUInt8);
  EXPECT_EQ(out.type.dtype, DataType::kUInt8);
  EXPECT_EQ(in.type.quant.zero_point[0], q->value(q->inputs[0]).type.quant.zero_point[0] + 128);
  EXPECT_EQ(in.type.quant.scale, q->value(q->inputs[0]).type.quant.scale);
  EXPECT_EQ(CountOp(*qu, OpKind::kRequantize), 2);
}

TEST(Quantizer, Uint8ActivationsKeepInt8Weights) {
  auto g = Prepared("resnet");
  QuantizeOptions opt;
  opt.activation_type = DataType::kUInt8;
  opt.per_channel = false;
  opt.ranges = Calibrated(g);
  Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().message();
  int convs = 0;
  for (const ir::Node& n : q->nodes) {
    if (n.op != OpKind::kConv) continue;
    ++convs;
    EXPECT_EQ(q->value(n.inputs[0]).type.dtype, DataType::kUInt8);
    EXPECT_EQ(q->value(n.inputs[1]).type.dtype, DataType::kInt8);
    EXPECT_EQ(q->value(n.inputs[1]).type.quant.axis, -1) << "per tensor";
    EXPECT_EQ(q->value(n.inputs[1]).type.quant.scale.size(), 1u);
  }
  EXPECT_GT(convs, 5);
  const Tensor images = Images();
  ExpectClose(RunGraph(*q, images), RunGraph(*g, images), 30.0 / 32.0, 0.1);
}

// TFLite's converter switch for dense layers: fully connected weights per
// tensor (for NNAPI, Arm NN 20.08, older TFLite), convolutions per channel.
TEST(Quantizer, PerTensorFullyConnectedKeepsPerChannelConvolutions) {
  auto g = Prepared("cnn");
  for (QuantMode mode : {QuantMode::kInt8, QuantMode::kDynamic, QuantMode::kWeightOnly}) {
    QuantizeOptions opt;
    opt.mode = mode;
    opt.per_channel_fc = false;
    if (quant::NeedsCalibration(mode)) opt.ranges = Calibrated(g);
    Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, nullptr);
    ASSERT_TRUE(q.ok()) << q.status().message();
    int convs = 0, fcs = 0;
    for (const ir::Value& v : q->values) {
      if (!v.is_constant() || v.type.dtype != DataType::kInt8) continue;
      if (v.type.rank() == 4) {
        ++convs;
        EXPECT_EQ(static_cast<int64_t>(v.type.quant.scale.size()), v.type.dims[0]) << v.name;
      } else if (v.type.rank() == 2) {
        ++fcs;
        EXPECT_EQ(v.type.quant.scale.size(), 1u) << v.name;
        EXPECT_EQ(v.type.quant.axis, -1) << v.name;
      }
    }
    EXPECT_EQ(convs, 2) << quant::QuantModeName(mode);
    EXPECT_EQ(fcs, 2) << quant::QuantModeName(mode);
  }
}

TEST(Quantizer, ExcludedNodeStaysFloatBetweenDequantizeAndQuantize) {
  auto g = Prepared("cnn");
  std::string first_conv;
  for (const ir::Node& n : g->nodes) {
    if (n.op == OpKind::kConv && first_conv.empty()) first_conv = n.name;
  }
  QuantizeOptions opt;
  opt.ranges = Calibrated(g);
  opt.exclude = {first_conv};
  QuantizeReport report;
  Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, &report);
  ASSERT_TRUE(q.ok()) << q.status().message();
  ASSERT_EQ(report.FloatLines().size(), 1u);
  EXPECT_NE(report.FloatLines()[0].find(first_conv), std::string::npos);
  EXPECT_NE(report.FloatLines()[0].find("excluded"), std::string::npos);
  for (const ir::Node& n : q->nodes) {
    if (n.name == first_conv) EXPECT_EQ(q->value(n.inputs[1]).type.dtype, DataType::kFloat32);
  }
  const Tensor images = Images();
  ExpectClose(RunGraph(*q, images), RunGraph(*g, images), 31.0 / 32.0, 0.05);

  opt.exclude = {"no_such_node"};
  Result<ir::Graph> bad = quant::QuantizeGraph(*g, opt, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no_such_node"), std::string::npos);
}

// input [1, 4] -> MatMul(W1) -> Erf -> MatMul(W2) -> output
ir::Graph ErfGraph() {
  ir::Graph g;
  ir::TensorType t;
  t.dtype = DataType::kFloat32;
  t.rank_known = true;
  t.dims = {1, 4};
  const ir::ValueId x = g.AddValue("x", t);
  g.inputs = {x};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  auto weight = [&](const std::string& name) {
    Tensor w(DataType::kFloat32, {4, 4});
    for (float& v : w.span<float>()) v = u(rng);
    return g.AddConstant(name, std::move(w));
  };
  const ir::ValueId w1 = weight("w1"), w2 = weight("w2");
  const ir::ValueId h = g.AddValue("h", t), e = g.AddValue("e", t), y = g.AddValue("y", t);
  g.AddNode({"mm1", OpKind::kMatMul, {x, w1}, {h}, {}, false});
  g.AddNode({"erf", OpKind::kErf, {h}, {e}, {}, false});
  g.AddNode({"mm2", OpKind::kMatMul, {e, w2}, {y}, {}, false});
  g.outputs = {y};
  return g;
}

TEST(Quantizer, Int8FallsBackToFloatAndInt8OnlyNamesEveryUnquantizableNode) {
  ir::Graph g = ErfGraph();
  QuantizeOptions opt;
  opt.ranges = {{"x", {-1, 1}}, {"h", {-2, 2}}, {"e", {-1, 1}}, {"y", {-3, 3}}};
  QuantizeReport report;
  Result<ir::Graph> q = quant::QuantizeGraph(g, opt, &report);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(report.nodes_quantized, 2);
  ASSERT_EQ(report.FloatLines().size(), 1u);
  EXPECT_NE(report.FloatLines()[0].find("'erf' (Erf)"), std::string::npos);
  EXPECT_EQ(CountOp(*q, OpKind::kQuantizeLinear), 2);    // x, e
  EXPECT_EQ(CountOp(*q, OpKind::kDequantizeLinear), 2);  // h, y

  Tensor x(DataType::kFloat32, {1, 4});
  for (int i = 0; i < 4; ++i) x.data<float>()[i] = 0.25f * static_cast<float>(i) - 0.4f;
  const Tensor ref = RunGraph(g, x), got = RunGraph(*q, x);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(testing::At(got, i), testing::At(ref, i), 0.1);

  opt.mode = QuantMode::kInt8Only;
  Result<ir::Graph> only = quant::QuantizeGraph(g, opt, nullptr);
  ASSERT_FALSE(only.ok());
  EXPECT_EQ(only.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(only.status().message().find("'erf' (Erf)"), std::string::npos);
}

TEST(Quantizer, Int8NeedsRangesAndRefusesAQuantizedModel) {
  ir::Graph g = ErfGraph();
  QuantizeOptions opt;
  EXPECT_FALSE(quant::QuantizeGraph(g, opt, nullptr).ok());
  opt.ranges = {{"x", {-1, 1}}, {"h", {-2, 2}}, {"e", {-1, 1}}, {"y", {-3, 3}}};
  Result<ir::Graph> q = quant::QuantizeGraph(g, opt, nullptr);
  ASSERT_TRUE(q.ok());
  Result<ir::Graph> again = quant::QuantizeGraph(*q, opt, nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("already quantized"), std::string::npos);
}

TEST(Quantizer, WeightModesNeedFloatWeights) {
  ir::Graph g;
  ir::TensorType t;
  t.dtype = DataType::kFloat32;
  t.rank_known = true;
  t.dims = {1, 4};
  const ir::ValueId x = g.AddValue("x", t), y = g.AddValue("y", t);
  g.inputs = {x};
  g.AddNode({"relu", OpKind::kRelu, {x}, {y}, {}, false});
  g.outputs = {y};
  for (QuantMode m : {QuantMode::kWeightOnly, QuantMode::kDynamic, QuantMode::kFloat16}) {
    QuantizeOptions opt;
    opt.mode = m;
    Result<ir::Graph> q = quant::QuantizeGraph(g, opt, nullptr);
    ASSERT_FALSE(q.ok()) << quant::QuantModeName(m);
    EXPECT_NE(q.status().message().find("no float32 weights"), std::string::npos);
  }
}

TEST(Quantizer, WeightOnlyDequantizesInt8WeightsAtLoad) {
  auto g = Prepared("mobilenet");
  QuantizeOptions opt;
  opt.mode = QuantMode::kWeightOnly;
  QuantizeReport report;
  Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, &report);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(report.nodes_quantized, CountOp(*g, OpKind::kConv) + CountOp(*g, OpKind::kGemm));
  for (const ir::Node& n : q->nodes) {
    if (n.op != OpKind::kConv) continue;
    const ir::Value& w = q->value(n.inputs[1]);
    ASSERT_FALSE(w.is_constant());
    const ir::Node& dq = q->node(w.producer);
    EXPECT_EQ(dq.op, OpKind::kDequantizeLinear);
    EXPECT_EQ(q->value(dq.inputs[0]).type.dtype, DataType::kInt8);
    EXPECT_EQ(dq.attrs.GetInt("axis", 1), 0);
    EXPECT_EQ(q->value(n.inputs[2]).type.dtype, DataType::kFloat32) << "biases stay float";
  }
  const Tensor images = Images();
  ExpectClose(RunGraph(*q, images), RunGraph(*g, images), 31.0 / 32.0, 0.05);
}

TEST(Quantizer, DynamicKeepsFloatActivationsWithInt8Weights) {
  auto g = Prepared("resnet");
  QuantizeOptions opt;
  opt.mode = QuantMode::kDynamic;
  Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().message();
  for (const ir::Node& n : q->nodes) {
    if (n.op != OpKind::kConv && n.op != OpKind::kGemm) continue;
    EXPECT_EQ(q->value(n.inputs[0]).type.dtype, DataType::kFloat32);
    EXPECT_EQ(q->value(n.inputs[1]).type.dtype, DataType::kInt8);
    EXPECT_EQ(q->value(n.outputs[0]).type.dtype, DataType::kFloat32);
  }
  const Tensor images = Images();
  ExpectClose(RunGraph(*q, images), RunGraph(*g, images), 31.0 / 32.0, 0.05);
}

TEST(Quantizer, Float16StoresHalfWeightsCastAtLoad) {
  auto g = Prepared("cnn");
  QuantizeOptions opt;
  opt.mode = QuantMode::kFloat16;
  QuantizeReport report;
  Result<ir::Graph> q = quant::QuantizeGraph(*g, opt, &report);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(CountOp(*q, OpKind::kCast), 8);  // 4 weights + 4 biases
  EXPECT_GE(static_cast<double>(report.weight_bytes_before),
            1.95 * static_cast<double>(report.weight_bytes_after));
  const Tensor images = Images();
  const Tensor got = RunGraph(*q, images), ref = RunGraph(*g, images);
  ExpectClose(got, ref, 1.0, 0.01);
}

}  // namespace
}  // namespace qforge
