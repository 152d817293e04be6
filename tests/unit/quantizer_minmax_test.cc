// Max / Min in the int8 modes (quant::SameScaleOperands): a clamp by a
// constant keeps its activation's (S, Z) with the constant quantized to it,
// two activations are requantized to the output's calibrated (S, Z); no
// float island, int8-only accepts them, int8 and uint8 activations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/int_element.h"
#include "onnx_qdq_test_util.h"
#include "ops/infer.h"
#include "qforge/model.h"
#include "qforge/runtime.h"
#include "quant/quantizer.h"
#include "test_util.h"

namespace qforge {
namespace {

using quant::QuantizeOptions;
using quant::QuantizeReport;
using quant::QuantMode;

constexpr float kBound = -0.4f;  // openWakeWord's embedding clamps LeakyRelu outputs at -0.4
// Integer and float results differ by the quantization of x, the weights
// and h: a few steps of y's scale, never more.
constexpr float kOutputSteps = 3.0f;
const float kYStep = 16.0f / 255.0f;  // y's calibrated range [-8, 8]

enum class Operands { kActivationFirst, kConstantFirst, kTwoActivations };

// x [1, 4] -> MatMul(W1) -> h -> Max/Min(h, bound) -> m -> MatMul(W2) -> y;
// with two activations the second operand is MatMul(x, W3) -> g.
ir::Graph ClampGraph(OpKind op, Operands operands) {
  ir::Graph g;
  const ir::TensorType t = ops::MakeType(DataType::kFloat32, {1, 4});
  const ir::ValueId x = g.AddValue("x", t);
  g.inputs = {x};
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  auto weight = [&](const std::string& name) {
    Tensor w(DataType::kFloat32, {4, 4});
    for (float& v : w.span<float>()) v = u(rng);
    return g.AddConstant(name, std::move(w));
  };
  const ir::ValueId h = g.AddValue("h", t), m = g.AddValue("m", t), y = g.AddValue("y", t);
  g.AddNode({"mm1", OpKind::kMatMul, {x, weight("w1")}, {h}, {}, false});
  ir::ValueId other;
  if (operands == Operands::kTwoActivations) {
    other = g.AddValue("g", t);
    g.AddNode({"mm3", OpKind::kMatMul, {x, weight("w3")}, {other}, {}, false});
  } else {
    Tensor c(DataType::kFloat32, {1});
    c.data<float>()[0] = kBound;
    other = g.AddConstant("bound", std::move(c));
  }
  const std::vector<ir::ValueId> ins = operands == Operands::kConstantFirst
                                           ? std::vector<ir::ValueId>{other, h}
                                           : std::vector<ir::ValueId>{h, other};
  g.AddNode({"clamp", op, ins, {m}, {}, false});
  g.AddNode({"mm2", OpKind::kMatMul, {m, weight("w2")}, {y}, {}, false});
  g.outputs = {y};
  return g;
}

QuantizeOptions Options(QuantMode mode, DataType act) {
  QuantizeOptions opt;
  opt.mode = mode;
  opt.activation_type = act;
  opt.ranges = {{"x", {-1, 1}}, {"h", {-4, 4}}, {"g", {-2, 2}}, {"m", {-4, 4}}, {"y", {-8, 8}}};
  return opt;
}

const ir::Node& NodeNamed(const ir::Graph& g, const std::string& name) {
  for (const ir::Node& n : g.nodes) {
    if (n.name == name) return n;
  }
  ADD_FAILURE() << "no node " << name;
  return g.nodes[0];
}

// Runs `g` on x = (-0.9, -0.3, 0.2, 0.8) and its int8-only form on x quantized.
std::vector<float> RunOnce(const ir::Graph& g) {
  Model model(std::make_shared<ir::Graph>(g));
  Result<Session> s = Session::Create(model);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return {};
  const ir::Value& in = g.value(g.inputs[0]);
  const float xs[4] = {-0.9f, -0.3f, 0.2f, 0.8f};
  Tensor x(in.type.dtype, {1, 4});
  for (int i = 0; i < 4; ++i) {
    if (in.type.dtype == DataType::kFloat32) {
      x.data<float>()[i] = xs[i];
    } else {
      const QuantParams& p = in.type.quant;
      SetIntElement(&x, i, static_cast<int32_t>(std::lround(xs[i] / p.scale[0]) + p.zero_point[0]));
    }
  }
  if (in.type.dtype != DataType::kFloat32) x.set_quant(in.type.quant);
  Result<std::vector<Tensor>> out = s->Run({&x, 1});
  EXPECT_TRUE(out.ok()) << out.status().message();
  std::vector<float> y;
  if (!out.ok()) return y;
  const Tensor& o = (*out)[0];
  for (int64_t i = 0; i < o.num_elements(); ++i) {
    if (o.dtype() == DataType::kFloat32) {
      y.push_back(o.data<float>()[i]);
    } else {
      const QuantParams& p = g.value(g.outputs[0]).type.quant;
      y.push_back(p.scale[0] * static_cast<float>(IntElement<int32_t>(o, i) - p.zero_point[0]));
    }
  }
  return y;
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], kOutputSteps * kYStep) << i;
}

TEST(QuantizerMinMax, ClampByAConstantIsIntegerAtItsInputsScale) {
  for (OpKind op : {OpKind::kMax, OpKind::kMin}) {
    for (Operands operands : {Operands::kActivationFirst, Operands::kConstantFirst}) {
      for (DataType act : {DataType::kInt8, DataType::kUInt8}) {
        SCOPED_TRACE(std::string(OpName(op)) +
                     (operands == Operands::kConstantFirst ? " constant first " : " ") + DataTypeName(act));
        const ir::Graph g = ClampGraph(op, operands);
        QuantizeReport report;
        Result<ir::Graph> q = quant::QuantizeGraph(g, Options(QuantMode::kInt8, act), &report);
        ASSERT_TRUE(q.ok()) << q.status().message();
        EXPECT_TRUE(report.FloatLines().empty()) << report.FloatLines()[0];
        EXPECT_EQ(report.quantized_by_op[std::string(OpName(op))], 1);
        // No float island: the clamp reads h's integer value and a constant
        // of h's (S, Z) holding round(-0.4 / S) + Z; its output keeps them.
        const ir::Node& clamp = NodeNamed(*q, "clamp");
        const size_t act_in = operands == Operands::kConstantFirst ? 1 : 0;
        const ir::Value& h = q->value(clamp.inputs[act_in]);
        const ir::Value& c = q->value(clamp.inputs[1 - act_in]);
        EXPECT_EQ(h.name, "h");
        EXPECT_EQ(h.type.dtype, act);
        ASSERT_TRUE(c.is_constant());
        EXPECT_EQ(c.constant->dtype(), act);
        EXPECT_EQ(c.constant->quant(), h.type.quant);
        EXPECT_EQ(IntElement<int32_t>(*c.constant, 0),
                  std::lround(kBound / h.type.quant.scale[0]) + h.type.quant.zero_point[0]);
        EXPECT_EQ(q->value(clamp.outputs[0]).type.quant, h.type.quant);
        ExpectNear(RunOnce(*q), RunOnce(g));

        Result<ir::Graph> only = quant::QuantizeGraph(g, Options(QuantMode::kInt8Only, act), nullptr);
        ASSERT_TRUE(only.ok()) << only.status().message();
        ExpectNear(RunOnce(*only), RunOnce(g));
      }
    }
  }
}

// The writers keep the clamp integer: a QDQ .onnx folds back into an integer
// Max on load, a .tflite holds an int8 MAXIMUM / MINIMUM.
TEST(QuantizerMinMax, WrittenOnnxAndTfliteReadBackAsIntegerClamps) {
  const onnx_qdq_test::TempDir dir;
  for (OpKind op : {OpKind::kMax, OpKind::kMin}) {
    const ir::Graph g = ClampGraph(op, Operands::kActivationFirst);
    Result<ir::Graph> q = quant::QuantizeGraph(g, Options(QuantMode::kInt8Only, DataType::kInt8), nullptr);
    ASSERT_TRUE(q.ok()) << q.status().message();
    for (const char* ext : {".onnx", ".tflite"}) {
      SCOPED_TRACE(std::string(OpName(op)) + ext);
      const std::string path = dir.file(std::string("clamp") + ext);
      ASSERT_TRUE(Model(std::make_shared<ir::Graph>(*q)).Save(path).ok());
      Result<Model> back = Model::Load(path);
      ASSERT_TRUE(back.ok()) << back.status().message();
      int integer_clamps = 0;
      for (const ir::Node& n : back->graph().nodes) {
        if (n.op != op) continue;
        const ir::TensorType& out = back->graph().value(n.outputs[0]).type;
        integer_clamps += out.dtype == DataType::kInt8 && !out.quant.empty();
      }
      EXPECT_EQ(integer_clamps, 1);
      ExpectNear(RunOnce(back->graph()), RunOnce(g));
    }
  }
}

TEST(QuantizerMinMax, ABoundOutsideTheRangeIsClampedToTheType) {
  ir::Graph g = ClampGraph(OpKind::kMin, Operands::kActivationFirst);
  Tensor big(DataType::kFloat32, {1});
  big.data<float>()[0] = 100.0f;  // h's range is [-4, 4]
  const ir::ValueId c = g.AddConstant("big", std::move(big));
  for (ir::Node& n : g.nodes) {
    if (n.name == "clamp") n.inputs[1] = c;
  }
  Result<ir::Graph> q = quant::QuantizeGraph(g, Options(QuantMode::kInt8, DataType::kInt8), nullptr);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(IntElement<int32_t>(*q->value(NodeNamed(*q, "clamp").inputs[1]).constant, 0), 127);
  ExpectNear(RunOnce(*q), RunOnce(g));  // Min(h, 100) = h
}

TEST(QuantizerMinMax, TwoActivationsAreRequantizedToTheCalibratedOutput) {
  const ir::Graph g = ClampGraph(OpKind::kMax, Operands::kTwoActivations);
  QuantizeOptions opt = Options(QuantMode::kInt8Only, DataType::kInt8);
  Result<ir::Graph> q = quant::QuantizeGraph(g, opt, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().message();
  const ir::Node& clamp = NodeNamed(*q, "clamp");
  const QuantParams& out = q->value(clamp.outputs[0]).type.quant;
  EXPECT_FLOAT_EQ(out.scale[0], 8.0f / 255.0f);  // m's range [-4, 4]
  // h's range is m's (no Requantize), g's [-2, 2] is not: one Requantize.
  int requantizes = 0;
  for (const ir::Node& n : q->nodes) requantizes += n.op == OpKind::kRequantize;
  EXPECT_EQ(requantizes, 1);
  for (ir::ValueId in : clamp.inputs) EXPECT_EQ(q->value(in).type.quant, out);
  ExpectNear(RunOnce(*q), RunOnce(g));
}

TEST(QuantizerMinMax, ThreeOperandsStayFloatAndInt8OnlyNamesThem) {
  ir::Graph g = ClampGraph(OpKind::kMax, Operands::kActivationFirst);
  for (ir::Node& n : g.nodes) {
    if (n.name == "clamp") n.inputs.push_back(n.inputs[1]);
  }
  QuantizeReport report;
  Result<ir::Graph> q = quant::QuantizeGraph(g, Options(QuantMode::kInt8, DataType::kInt8), &report);
  ASSERT_TRUE(q.ok()) << q.status().message();
  ASSERT_EQ(report.FloatLines().size(), 1u);
  EXPECT_NE(report.FloatLines()[0].find("'clamp' (Max): 3 operands"), std::string::npos)
      << report.FloatLines()[0];
  Status s = quant::CheckBeforeCalibration(g, Options(QuantMode::kInt8Only, DataType::kInt8));
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("'clamp' (Max)"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace qforge
