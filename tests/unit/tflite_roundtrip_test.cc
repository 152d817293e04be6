// ONNX -> IR (quantized in each mode) -> .tflite -> IR: the re-read graph
// computes what the written one does, and a second write keeps every
// tensor's bytes, type, shape and quantization parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "io/data/dataset.h"
#include "io/onnx/onnx_reader.h"
#include "io/tflite/read/tflite_reader.h"
#include "io/tflite/write/tflite_writer.h"
#include "passes/pipelines.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "runtime/interpreter.h"
#include "test_util.h"
#include "tflite_schema_generated.h"

namespace qforge {
namespace {

// Float graphs: the same float ops in another layout (summation order may
// differ in the NHWC island).
constexpr double kFloatRelTol = 1e-4;

struct RoundTripCase {
  const char* model;
  const char* mode;  // "float" or a quant::ParseQuantMode name
};

Result<ir::Graph> BuildGraph(const RoundTripCase& c) {
  QF_ASSIGN_OR_RETURN(auto loaded,
                      io::ReadOnnx(testing::SourcePath(std::string("models/") + c.model + ".onnx")));
  std::shared_ptr<ir::Graph> g(std::move(loaded));
  if (std::string(c.mode) == "float") return *g;
  QF_RETURN_IF_ERROR(passes::PrepareForQuantization(g.get()));
  quant::QuantizeOptions opt;
  QF_ASSIGN_OR_RETURN(opt.mode, quant::ParseQuantMode(c.mode));
  if (quant::NeedsCalibration(opt.mode)) {
    io::DataSpec spec;
    spec.path = testing::SourcePath("models/calib/fashion_train100.npy");
    QF_ASSIGN_OR_RETURN(auto data, io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32));
    quant::CalibrateOptions co;
    co.count = 32;
    QF_ASSIGN_OR_RETURN(auto stats, quant::Calibrate(g, *data, co));
    QF_ASSIGN_OR_RETURN(auto ranges, quant::ComputeRanges(stats, {}));
    for (const auto& [name, r] : ranges) opt.ranges[name] = {r.min, r.max};
  }
  QF_ASSIGN_OR_RETURN(ir::Graph q, quant::QuantizeGraph(*g, opt, nullptr));
  // The .tflite means TFLite's fixed-point arithmetic; run the source graph
  // under the same rule so the comparison is about the format, not the rule.
  q.requantization = ir::Requantization::kFixedPoint;
  return q;
}

Tensor Input(const ir::Graph& g, std::vector<int64_t> dims) {
  const ir::TensorType& t = g.value(g.inputs[0]).type;
  Tensor x(t.dtype, std::move(dims));
  std::mt19937 rng(5);
  if (t.dtype == DataType::kFloat32) {
    std::uniform_real_distribution<float> d(0.0f, 1.0f);
    for (float& v : x.span<float>()) v = d(rng);
  } else {
    std::uniform_int_distribution<int> d(-128, 127);
    for (int8_t& v : x.span<int8_t>()) v = static_cast<int8_t>(d(rng));
  }
  x.set_quant(t.quant);
  return x;
}

Result<std::vector<Tensor>> RunGraph(const ir::Graph& g, const Tensor& x) {
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  std::vector<Tensor> in = {x};
  return interp.Run(in);
}

// Output quantization step of a float output computed by a DequantizeLinear
// (int8 mode), 0 otherwise.
double OutputStep(const ir::Graph& g, size_t i) {
  const ir::Value& v = g.value(g.outputs[i]);
  if (v.producer == ir::kNoNode) return 0.0;
  const ir::Node& n = g.node(v.producer);
  if (n.op != OpKind::kDequantizeLinear) return 0.0;
  const QuantParams& q = g.value(n.inputs[0]).type.quant;
  return q.scale.size() == 1 ? q.scale[0] : 0.0;
}

class TfliteRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(TfliteRoundTrip, ReadBackComputesTheSame) {
  auto g = BuildGraph(GetParam());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto bytes = io::SerializeTflite(*g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = io::ReadTfliteFromBytes(*bytes, "roundtrip.tflite");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const ir::Graph& g2 = **back;
  ASSERT_EQ(g2.inputs.size(), 1u);
  // Fashion-MNIST's NCHW 1x28x28 input is NHWC 28x28x1 in TFLite: same bytes.
  EXPECT_EQ(g2.value(g2.inputs[0]).type.dims.back(), 1);
  const Tensor x = Input(*g, {2, 1, 28, 28});
  auto want = RunGraph(*g, x);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto got = RunGraph(g2, x.Reshaped({2, 28, 28, 1}));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), want->size());
  for (size_t i = 0; i < want->size(); ++i) {
    const Tensor& a = (*got)[i];
    const Tensor& b = (*want)[i];
    ASSERT_EQ(a.dtype(), b.dtype());
    ASSERT_EQ(a.num_elements(), b.num_elements());
    const double step = OutputStep(*g, i);
    for (int64_t k = 0; k < a.num_elements(); ++k) {
      const double va = testing::At(a, k), vb = testing::At(b, k);
      if (a.dtype() != DataType::kFloat32) {
        EXPECT_LE(std::fabs(va - vb), 1.0) << "output " << i << " element " << k;  // one integer step
      } else if (step > 0) {
        EXPECT_LE(std::fabs(va - vb), step * 1.001) << "output " << i << " element " << k;
      } else {
        EXPECT_LE(std::fabs(va - vb), kFloatRelTol * std::max(1.0, std::fabs(vb)))
            << "output " << i << " element " << k;
      }
    }
  }
}

struct TensorRecord {
  tflite::TensorType type;
  std::vector<int32_t> shape;
  std::string data;
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
  bool operator==(const TensorRecord&) const = default;
};

struct FileTensors {
  std::map<std::string, TensorRecord> by_name;
};

FileTensors Tensors(const std::string& bytes) {
  const tflite::Model* m = tflite::GetModel(bytes.data());
  FileTensors out;
  const tflite::SubGraph* sg = m->subgraphs()->Get(0);
  for (const tflite::Tensor* t : *sg->tensors()) {
    TensorRecord r;
    r.type = t->type();
    if (t->shape() != nullptr) r.shape.assign(t->shape()->begin(), t->shape()->end());
    const tflite::Buffer* b = m->buffers()->Get(t->buffer());
    if (b->data() != nullptr)
      r.data.assign(reinterpret_cast<const char*>(b->data()->data()), b->data()->size());
    if (const auto* q = t->quantization(); q != nullptr && q->scale() != nullptr) {
      r.scale.assign(q->scale()->begin(), q->scale()->end());
      r.zero_point.assign(q->zero_point()->begin(), q->zero_point()->end());
      r.quantized_dimension = r.scale.size() > 1 ? q->quantized_dimension() : 0;
    }
    out.by_name[t->name()->str()] = std::move(r);
  }
  return out;
}

// Every tensor of the first file is in the second under its name with the
// same type, shape, bytes and quantization, and the second has no other.
TEST_P(TfliteRoundTrip, SecondWriteKeepsEveryTensor) {
  auto g = BuildGraph(GetParam());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto first = io::SerializeTflite(*g);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto back = io::ReadTfliteFromBytes(*first, "first.tflite");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto second = io::SerializeTflite(**back);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  const FileTensors a = Tensors(*first), b = Tensors(*second);
  std::set<std::string> matched;
  int constants = 0;
  for (const auto& [name, ta] : a.by_name) {
    auto it = b.by_name.find(name);
    ASSERT_NE(it, b.by_name.end()) << "tensor '" << name << "' missing after the round trip";
    matched.insert(it->first);
    EXPECT_EQ(it->second.type, ta.type) << name;
    EXPECT_EQ(it->second.shape, ta.shape) << name;
    EXPECT_EQ(it->second.scale, ta.scale) << name;
    EXPECT_EQ(it->second.zero_point, ta.zero_point) << name;
    EXPECT_EQ(it->second.quantized_dimension, ta.quantized_dimension) << name;
    EXPECT_TRUE(it->second.data == ta.data) << name << ": buffer bytes differ";
    constants += ta.data.empty() ? 0 : 1;
  }
  EXPECT_GT(constants, 0);
  for (const auto& [name, tb] : b.by_name) {
    EXPECT_TRUE(matched.count(name) != 0) << "tensor '" << name << "' is new in the second write";
  }
}

INSTANTIATE_TEST_SUITE_P(Models, TfliteRoundTrip,
                         ::testing::Values(RoundTripCase{"cnn", "float"}, RoundTripCase{"mobilenet", "float"},
                                           RoundTripCase{"resnet", "float"}, RoundTripCase{"cnn", "int8"},
                                           RoundTripCase{"mobilenet", "int8"},
                                           RoundTripCase{"resnet", "int8-only"},
                                           RoundTripCase{"cnn", "dynamic"},
                                           RoundTripCase{"cnn", "weight-only"},
                                           RoundTripCase{"mobilenet", "float16"}),
                         [](const ::testing::TestParamInfo<RoundTripCase>& info) {
                           std::string n = std::string(info.param.model) + "_" + info.param.mode;
                           for (char& ch : n) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return n;
                         });

}  // namespace
}  // namespace qforge
