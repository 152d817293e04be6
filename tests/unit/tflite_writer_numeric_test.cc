// End-to-end numbers of the TFLite writer through qforge's own TFLite reader
// and runtime: a written float .tflite computes what its ONNX source does
// (within kFloatRelTol), a written quantized .tflite what the quantized IR
// it came from does (within one quantization step).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <random>

#include "io/tflite/read/tflite_reader.h"
#include "qforge/runtime.h"
#include "unit/tflite_writer_test_util.h"

namespace qforge {
namespace {

using namespace tflite_writer_test;  // NOLINT: test helpers
using quant::QuantMode;

// Float kernels summing in another order (NHWC vs NCHW loops) stay far below
// this; a wrong permutation of weights or axes is far above it.
constexpr double kFloatRelTol = 1e-4;

Tensor FashionImages(int n) {
  Result<Tensor> u8 = io::ReadNpy(testing::SourcePath("tests/models/data/fashion_t10k_first32_images.npy"));
  EXPECT_TRUE(u8.ok()) << u8.status().message();
  Tensor x(DataType::kFloat32, {n, 1, 28, 28});
  if (!u8.ok()) return x;
  for (int64_t i = 0; i < x.num_elements(); ++i) x.data<float>()[i] = u8->data<uint8_t>()[i] / 255.0f;
  return x;
}

Tensor RandomInput(std::vector<int64_t> dims, uint32_t seed) {
  Tensor x(DataType::kFloat32, std::move(dims));
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (float& v : x.span<float>()) v = d(rng);
  return x;
}

Tensor ToNhwc(const Tensor& x) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  Tensor y(x.dtype(), {N, H, W, C});
  const size_t es = DataTypeSize(x.dtype());
  const auto* s = static_cast<const uint8_t*>(x.raw_data());
  auto* d = static_cast<uint8_t*>(y.raw_data());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          std::memcpy(d + static_cast<size_t>(((n * H + h) * W + w) * C + c) * es,
                      s + static_cast<size_t>(((n * C + c) * H + h) * W + w) * es, es);
  return y;
}

Result<std::vector<Tensor>> RunModel(std::shared_ptr<ir::Graph> g, const Tensor& x) {
  Model m(std::move(g));
  QF_ASSIGN_OR_RETURN(Session s, Session::Create(m));
  return s.Run({&x, 1});
}

// The written .tflite read back by qforge's reader.
std::shared_ptr<ir::Graph> RoundTrip(const ir::Graph& g) {
  const std::string bytes = Serialize(g);
  Result<std::unique_ptr<ir::Graph>> r = io::ReadTfliteFromBytes(bytes, "written.tflite");
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return nullptr;
  return std::shared_ptr<ir::Graph>(std::move(*r));
}

void ExpectFloatSame(const std::shared_ptr<ir::Graph>& onnx, const Tensor& x_nchw) {
  auto tfl = RoundTrip(*onnx);
  ASSERT_TRUE(tfl);
  Result<std::vector<Tensor>> want = RunModel(onnx, x_nchw);
  ASSERT_TRUE(want.ok()) << want.status().message();
  Result<std::vector<Tensor>> got = RunModel(tfl, ToNhwc(x_nchw));
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), want->size());
  for (size_t i = 0; i < want->size(); ++i) {
    const double err = testing::MaxRelError((*got)[i], (*want)[i]);
    EXPECT_GE(err, 0.0) << "output " << i << " shape or type differs: " << (*got)[i].ShapeString() << " vs "
                        << (*want)[i].ShapeString();
    EXPECT_LE(err, kFloatRelTol) << "output " << i;
  }
}

class FloatBundled : public ::testing::TestWithParam<std::string> {};

TEST_P(FloatBundled, TfliteMatchesOnnx) {
  auto g = Bundled(GetParam());
  ASSERT_TRUE(g);
  ExpectFloatSame(g, FashionImages(8));
}

INSTANTIATE_TEST_SUITE_P(TfliteWriterNumeric, FloatBundled, ::testing::Values("cnn", "mobilenet", "resnet"));

class FloatLayout : public ::testing::TestWithParam<std::string> {};

TEST_P(FloatLayout, TfliteMatchesOnnx) {
  auto g = LayoutModel(GetParam());
  ASSERT_TRUE(g);
  ExpectFloatSame(g, RandomInput({1, 2, 8, 8}, 7));
}

INSTANTIATE_TEST_SUITE_P(TfliteWriterNumeric, FloatLayout,
                         ::testing::Values("flatten_gemm", "concat_channels", "softmax_channels",
                                           "pools_pads", "pad_const", "binary_consts", "resize",
                                           "slice_split", "depthwise_mult", "transpose_fc", "conv_transpose",
                                           "shape_view", "se_gate"));

TEST(TfliteWriterNumeric, HandBuiltGraphMatchesIr) {
  auto g = std::make_shared<ir::Graph>(HandBuiltGraph());
  auto tfl = RoundTrip(*g);
  ASSERT_TRUE(tfl);
  const Tensor x = RandomInput({1, 2, 6, 6}, 3), a = RandomInput({1, 3, 4}, 4), b = RandomInput({1, 4, 5}, 5);
  Model m_ir(g), m_tfl(tfl);
  Result<Session> s_ir = Session::Create(m_ir);
  Result<Session> s_tfl = Session::Create(m_tfl);
  ASSERT_TRUE(s_ir.ok()) << s_ir.status().message();
  ASSERT_TRUE(s_tfl.ok()) << s_tfl.status().message();
  const std::vector<Tensor> ins_ir = {x, a, b};
  const std::vector<Tensor> ins_tfl = {ToNhwc(x), a, b};
  Result<std::vector<Tensor>> want = s_ir->Run(ins_ir);
  Result<std::vector<Tensor>> got = s_tfl->Run(ins_tfl);
  ASSERT_TRUE(want.ok()) << want.status().message();
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const double err = testing::MaxRelError((*got)[i], (*want)[i]);
    EXPECT_GE(err, 0.0) << "output " << i;
    EXPECT_LE(err, kFloatRelTol) << "output " << i;
  }
}

// The quantized IR and its .tflite agree within one step of the output's
// quantization (both run the fixed-point rule; the step leaves room for a
// kernel that rounds a float product differently, none is expected).
struct QuantCase {
  std::string model;
  QuantMode mode;
};

class QuantizedTflite : public ::testing::TestWithParam<QuantCase> {};

TEST_P(QuantizedTflite, TfliteMatchesQuantizedIr) {
  const QuantCase& c = GetParam();
  Result<ir::Graph> q = Quantized(c.model, c.mode);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto ir = std::make_shared<ir::Graph>(*q);
  // The graph came from an ONNX file (ONNX Runtime's float rule); a .tflite
  // means TFLite's fixed-point rule: compare like with like.
  ir->requantization = ir::Requantization::kFixedPoint;
  auto tfl = RoundTrip(*ir);
  ASSERT_TRUE(tfl);
  Tensor x = FashionImages(8);
  // int8-only takes the quantized input: quantize with the graph input's parameters.
  const ir::TensorType& in_type = ir->value(ir->inputs[0]).type;
  if (in_type.dtype == DataType::kInt8) {
    Tensor xq(DataType::kInt8, x.dims());
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const float v = std::nearbyint(x.data<float>()[i] / in_type.quant.scale[0]) +
                      static_cast<float>(in_type.quant.zero_point[0]);
      xq.data<int8_t>()[i] = static_cast<int8_t>(std::clamp(v, -128.0f, 127.0f));
    }
    x = std::move(xq);
  }
  Result<std::vector<Tensor>> want = RunModel(ir, x);
  ASSERT_TRUE(want.ok()) << want.status().message();
  Result<std::vector<Tensor>> got = RunModel(tfl, ToNhwc(x));
  ASSERT_TRUE(got.ok()) << got.status().message();
  const Tensor& a = (*got)[0];
  const Tensor& b = (*want)[0];
  ASSERT_EQ(a.dims(), b.dims());
  if (c.mode == QuantMode::kDynamic || c.mode == QuantMode::kWeightOnly || c.mode == QuantMode::kFloat16) {
    // Float outputs of the same float (or hybrid) arithmetic.
    EXPECT_LE(testing::MaxRelError(a, b), kFloatRelTol);
    EXPECT_GE(testing::MaxRelError(a, b), 0.0);
    return;
  }
  double step = 1.0;
  if (b.dtype() == DataType::kFloat32) {
    // The output's DequantizeLinear input carries the step.
    const ir::Value& out = ir->value(ir->outputs[0]);
    ASSERT_NE(out.producer, ir::kNoNode);
    const ir::Node& dq = ir->node(out.producer);
    ASSERT_EQ(dq.op, OpKind::kDequantizeLinear);
    step = ir->value(dq.inputs[0]).type.quant.scale[0];
  }
  int64_t within = 0;
  for (int64_t i = 0; i < b.num_elements(); ++i) {
    within += std::fabs(testing::At(a, i) - testing::At(b, i)) <= step * 1.001 ? 1 : 0;
  }
  EXPECT_EQ(within, b.num_elements()) << "elements more than one step apart";
}

INSTANTIATE_TEST_SUITE_P(
    TfliteWriterNumeric, QuantizedTflite,
    ::testing::Values(QuantCase{"cnn", QuantMode::kInt8}, QuantCase{"cnn", QuantMode::kInt8Only},
                      QuantCase{"mobilenet", QuantMode::kInt8}, QuantCase{"resnet", QuantMode::kInt8Only},
                      QuantCase{"cnn", QuantMode::kDynamic}, QuantCase{"mobilenet", QuantMode::kWeightOnly},
                      QuantCase{"resnet", QuantMode::kFloat16}),
    [](const ::testing::TestParamInfo<QuantCase>& info) {
      std::string mode = quant::QuantModeName(info.param.mode);
      for (char& ch : mode) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return info.param.model + "_" + mode;
    });

}  // namespace
}  // namespace qforge

namespace qforge {
namespace {

// TFLite -> IR -> TFLite is exact: the reader's transposes vanish again
// (storage-identity), names, buffers and quantization come back unchanged.
// Cases: a bundled model in float ("float") or in a quantization mode.
class RoundTripTflite : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(RoundTripTflite, WrittenFileReadAndWrittenAgainIsIdentical) {
  const auto& [model, mode] = GetParam();
  std::shared_ptr<ir::Graph> g;
  if (mode == "float") {
    g = Bundled(model);
  } else {
    Result<quant::QuantMode> m = quant::ParseQuantMode(mode);
    ASSERT_TRUE(m.ok());
    Result<ir::Graph> q = Quantized(model, *m);
    ASSERT_TRUE(q.ok()) << q.status().message();
    g = std::make_shared<ir::Graph>(*q);
  }
  ASSERT_TRUE(g);
  const std::string first = Serialize(*g);
  auto back = RoundTrip(*g);
  ASSERT_TRUE(back);
  const std::string second = Serialize(*back);
  EXPECT_EQ(first.size(), second.size());
  EXPECT_TRUE(first == second) << "the second file differs from the first";
}

INSTANTIATE_TEST_SUITE_P(TfliteWriterNumeric, RoundTripTflite,
                         ::testing::Values(std::pair<std::string, std::string>{"cnn", "float"},
                                           std::pair<std::string, std::string>{"cnn", "int8"},
                                           std::pair<std::string, std::string>{"cnn", "int8-only"},
                                           std::pair<std::string, std::string>{"cnn", "dynamic"},
                                           std::pair<std::string, std::string>{"cnn", "weight-only"},
                                           std::pair<std::string, std::string>{"cnn", "float16"},
                                           std::pair<std::string, std::string>{"mobilenet", "float"},
                                           std::pair<std::string, std::string>{"mobilenet", "int8"}),
                         [](const ::testing::TestParamInfo<std::pair<std::string, std::string>>& info) {
                           std::string name = info.param.first + "_" + info.param.second;
                           for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

}  // namespace
}  // namespace qforge

namespace qforge {
namespace {

class RoundTripLayout : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTripLayout, WrittenFileReadAndWrittenAgainIsIdentical) {
  auto g = LayoutModel(GetParam());
  ASSERT_TRUE(g);
  const std::string first = Serialize(*g);
  auto back = RoundTrip(*g);
  ASSERT_TRUE(back);
  EXPECT_TRUE(first == Serialize(*back)) << "the second file differs from the first";
}

// binary_consts is left out: the transpose sinking pass renames the constant
// it folds a transpose into ("bias" -> "bias_transposed"); se_gate too, for
// the scalar constants of its HardSigmoid (MUL, ADD, MAXIMUM, MINIMUM).
INSTANTIATE_TEST_SUITE_P(TfliteWriterNumeric, RoundTripLayout,
                         ::testing::Values("flatten_gemm", "concat_channels", "softmax_channels",
                                           "pools_pads", "pad_const", "resize", "slice_split",
                                           "depthwise_mult", "transpose_fc", "conv_transpose", "shape_view"));

}  // namespace
}  // namespace qforge
