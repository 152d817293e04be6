// The TFLite forms of audio front ends (tests/data/tflite_audio, made by
// make_models.py from torch): 1-D convolutions through height-1 2-D ones,
// reflect padding as MIRROR_PAD, and a dynamic-length input pinned with
// Model::PinInputShape. Each model is written, read back and run against
// the source graph on the same input.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "io/onnx/onnx_reader.h"
#include "io/tflite/read/tflite_reader.h"
#include "io/tflite/write/tflite_writer.h"
#include "ir/graph.h"
#include "qforge/model.h"
#include "runtime/interpreter.h"
#include "test_util.h"
#include "tflite_schema_generated.h"

namespace qforge {
namespace {

// Float graphs: the same products summed in another order (NLC instead of NCL).
constexpr double kFloatRelTol = 1e-5;

std::string DataPath(const std::string& name) {
  return testing::SourcePath("tests/data/tflite_audio/" + name);
}

Tensor RandomInput(std::vector<int64_t> dims) {
  Tensor x(DataType::kFloat32, std::move(dims));
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (float& v : x.span<float>()) v = d(rng);
  return x;
}

std::vector<Tensor> Run(const ir::Graph& g, const Tensor& x) {
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  std::vector<Tensor> in = {x};
  auto out = interp.Run(in);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? std::move(out).value() : std::vector<Tensor>{};
}

// The builtins of a written file, by TFLite name, with their counts.
std::map<std::string, int> Builtins(const std::string& bytes) {
  const tflite::Model* m = tflite::GetModel(bytes.data());
  std::map<std::string, int> ops;
  for (const tflite::Operator* op : *m->subgraphs()->Get(0)->operators()) {
    const tflite::OperatorCode* c = m->operator_codes()->Get(op->opcode_index());
    ++ops[tflite::EnumNameBuiltinOperator(c->builtin_code())];
  }
  return ops;
}

// Writes `g`, reads it back and checks both compute the same on `x`; returns the file.
std::string ExpectRoundTrip(const ir::Graph& g, const Tensor& x) {
  auto bytes = io::SerializeTflite(g);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  auto back = io::ReadTfliteFromBytes(*bytes, "audio.tflite");
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  if (!back.ok()) return {};
  const std::vector<Tensor> want = Run(g, x), got = Run(**back, x);
  EXPECT_EQ(got.size(), want.size());
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    EXPECT_EQ(got[i].dims(), want[i].dims());
    EXPECT_EQ(got[i].num_elements(), want[i].num_elements());
    for (int64_t k = 0; k < std::min(got[i].num_elements(), want[i].num_elements()); ++k) {
      const double a = testing::At(got[i], k), b = testing::At(want[i], k);
      EXPECT_LE(std::fabs(a - b), kFloatRelTol * std::max(1.0, std::fabs(b)))
          << "output " << i << " element " << k;
    }
  }
  return *bytes;
}

TEST(TfliteAudioForms, Conv1DThroughHeightOne2DConvolutions) {
  auto g = io::ReadOnnx(DataPath("conv1d_stack.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const std::string file = ExpectRoundTrip(**g, RandomInput({1, 2, 32}));
  const auto ops = Builtins(file);
  // Strided + padded, depthwise, dilated: one 2-D convolution each, wrapped.
  EXPECT_EQ(ops.count("CONV_2D") ? ops.at("CONV_2D") : 0, 2);
  EXPECT_EQ(ops.count("DEPTHWISE_CONV_2D") ? ops.at("DEPTHWISE_CONV_2D") : 0, 1);
  EXPECT_EQ(ops.count("EXPAND_DIMS") ? ops.at("EXPAND_DIMS") : 0, 3);
  EXPECT_EQ(ops.count("SQUEEZE") ? ops.at("SQUEEZE") : 0, 3);
}

TEST(TfliteAudioForms, ReflectPadIsMirrorPad) {
  auto g = io::ReadOnnx(DataPath("reflect_pad_conv.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const std::string file = ExpectRoundTrip(**g, RandomInput({1, 3, 16}));
  EXPECT_EQ(Builtins(file).count("MIRROR_PAD"), 1u);
}

TEST(TfliteAudioForms, EdgePadHasNoTfliteForm) {
  auto g = io::ReadOnnx(DataPath("reflect_pad_conv.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  for (ir::Node& n : (*g)->nodes) {
    if (n.op == OpKind::kPad) n.attrs.Set("mode", std::string("edge"));
  }
  auto bytes = io::SerializeTflite(**g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(bytes.status().message().find("Pad mode 'edge' has no TFLite form"), std::string::npos)
      << bytes.status().message();
}

// melspectrogram's front: [batch, samples] audio. The dynamic length has no
// TFLite form until it is pinned; then the file computes what the source does.
TEST(TfliteAudioForms, DynamicLengthIsWrittenOncePinned) {
  auto model = Model::Load(DataPath("frames_dynamic.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_FALSE(io::SerializeTflite(model->graph()).ok());
  ASSERT_TRUE(model->PinInputShape("x", {1, 128}).ok());
  EXPECT_EQ(model->outputs()[0].dims, (std::vector<int64_t>{1, 8, 15}));
  ExpectRoundTrip(model->graph(), RandomInput({1, 128}));
}

TEST(TfliteAudioForms, PinInputShapeChecksNameRankAndFixedDims) {
  auto model = Model::Load(DataPath("conv1d_stack.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Status s = model->PinInputShape("nope", {1, 2, 32});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'nope' is not an input of the model (inputs: x)"), std::string::npos)
      << s.message();
  s = model->PinInputShape("x", {1, 3, 32});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("input 'x': dim 1 is fixed at 2, not 3"), std::string::npos) << s.message();
  s = model->PinInputShape("x", {1, 2});
  EXPECT_NE(s.message().find("has rank 3, not 2"), std::string::npos) << s.message();
  EXPECT_TRUE(model->PinInputShape("x", {1, 2, 32}).ok());
}

}  // namespace
}  // namespace qforge
