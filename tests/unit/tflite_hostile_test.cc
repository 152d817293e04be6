// Hostile .tflite files: a valid model built with the flatbuffers object API,
// then broken one rule at a time. The reader must return kInvalidModel naming
// the file and the broken rule (kUnsupported for valid-but-unsupported), and
// never crash, hang or allocate from an unchecked size (the ASan build runs
// these, so a stray read or a huge allocation fails there).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/tflite/read/tflite_reader.h"
#include "tflite_schema_generated.h"

namespace qforge {
namespace {

const std::string kSource = "hostile.tflite";

std::vector<uint8_t> FloatBytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::unique_ptr<tflite::TensorT> MakeTensor(const std::string& name, std::vector<int32_t> shape,
                                            uint32_t buffer) {
  auto t = std::make_unique<tflite::TensorT>();
  t->name = name;
  t->shape = std::move(shape);
  t->type = tflite::TensorType_FLOAT32;
  t->buffer = buffer;
  return t;
}

std::unique_ptr<tflite::BufferT> MakeBuffer(std::vector<uint8_t> data) {
  auto b = std::make_unique<tflite::BufferT>();
  b->data = std::move(data);
  return b;
}

std::unique_ptr<tflite::OperatorCodeT> MakeCode(tflite::BuiltinOperator op) {
  auto c = std::make_unique<tflite::OperatorCodeT>();
  c->builtin_code = op;
  c->deprecated_builtin_code = static_cast<int8_t>(std::min<int>(op, 127));
  c->version = 1;
  return c;
}

// input[1,4,4,2] -> CONV_2D (3x3, SAME, fused RELU; weights OHWI) -> ADD
// (per-channel constant) -> output[1,4,4,3]. Tensor indices:
// 0 input, 1 conv_w, 2 conv_b, 3 conv_out, 4 add_c, 5 output.
tflite::ModelT ValidModel() {
  tflite::ModelT m;
  m.version = 3;
  m.description = "qforge hostile-file test";
  m.operator_codes.push_back(MakeCode(tflite::BuiltinOperator_CONV_2D));
  m.operator_codes.push_back(MakeCode(tflite::BuiltinOperator_ADD));
  std::vector<float> w(3 * 3 * 3 * 2);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i % 17) - 0.08f;
  m.buffers.push_back(MakeBuffer({}));
  m.buffers.push_back(MakeBuffer(FloatBytes(w)));
  m.buffers.push_back(MakeBuffer(FloatBytes({0.1f, -0.2f, 0.3f})));
  m.buffers.push_back(MakeBuffer(FloatBytes({1.0f, 2.0f, -1.0f})));
  auto sg = std::make_unique<tflite::SubGraphT>();
  sg->name = "main";
  sg->tensors.push_back(MakeTensor("input", {1, 4, 4, 2}, 0));
  sg->tensors.push_back(MakeTensor("conv_w", {3, 3, 3, 2}, 1));
  sg->tensors.push_back(MakeTensor("conv_b", {3}, 2));
  sg->tensors.push_back(MakeTensor("conv_out", {1, 4, 4, 3}, 0));
  sg->tensors.push_back(MakeTensor("add_c", {3}, 3));
  sg->tensors.push_back(MakeTensor("output", {1, 4, 4, 3}, 0));
  sg->inputs = {0};
  sg->outputs = {5};
  auto conv = std::make_unique<tflite::OperatorT>();
  conv->opcode_index = 0;
  conv->inputs = {0, 1, 2};
  conv->outputs = {3};
  tflite::Conv2DOptionsT conv_opts;
  conv_opts.padding = tflite::Padding_SAME;
  conv_opts.stride_w = 1;
  conv_opts.stride_h = 1;
  conv_opts.fused_activation_function = tflite::ActivationFunctionType_RELU;
  conv->builtin_options.Set(std::move(conv_opts));
  auto add = std::make_unique<tflite::OperatorT>();
  add->opcode_index = 1;
  add->inputs = {3, 4};
  add->outputs = {5};
  add->builtin_options.Set(tflite::AddOptionsT());
  sg->operators.push_back(std::move(conv));
  sg->operators.push_back(std::move(add));
  m.subgraphs.push_back(std::move(sg));
  return m;
}

std::string Pack(const tflite::ModelT& m) {
  flatbuffers::FlatBufferBuilder fbb;
  tflite::FinishModelBuffer(fbb, tflite::Model::Pack(fbb, &m));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

// The valid model with `edit` applied, packed.
std::string Broken(const std::function<void(tflite::ModelT&)>& edit) {
  tflite::ModelT m = ValidModel();
  edit(m);
  return Pack(m);
}

tflite::TensorT& TensorOf(tflite::ModelT& m, int index) {
  return *m.subgraphs[0]->tensors[static_cast<size_t>(index)];
}

void ExpectRejected(const std::string& bytes, StatusCode code, const std::string& fragment) {
  auto g = io::ReadTfliteFromBytes(bytes, kSource);
  ASSERT_FALSE(g.ok()) << "accepted a file that breaks: " << fragment;
  EXPECT_EQ(g.status().code(), code) << g.status().ToString();
  EXPECT_NE(g.status().message().find(kSource), std::string::npos) << g.status().ToString();
  EXPECT_NE(g.status().message().find(fragment), std::string::npos)
      << "want '" << fragment << "' in: " << g.status().ToString();
}

void ExpectInvalid(const std::string& bytes, const std::string& fragment) {
  ExpectRejected(bytes, StatusCode::kInvalidModel, fragment);
}

uint32_t ReadU32(const std::string& s, size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

void WriteU32(std::string& s, size_t at, uint32_t v) { std::memcpy(s.data() + at, &v, 4); }

TEST(TfliteHostileTest, TheBaseModelIsValid) {
  auto g = io::ReadTfliteFromBytes(Pack(ValidModel()), kSource);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Graph& graph = **g;
  EXPECT_EQ(graph.inputs.size(), 1u);
  ASSERT_EQ(graph.outputs.size(), 1u);
  EXPECT_EQ(graph.value(graph.outputs[0]).name, "output");
  // The reader's Transpose -> Conv -> Transpose, with the ADD after it, is
  // one NCHW island after transpose sinking: NHWC in, NHWC out.
  int transposes = 0;
  for (const ir::Node& n : graph.nodes) transposes += n.op == OpKind::kTranspose ? 1 : 0;
  EXPECT_EQ(transposes, 2);
}

TEST(TfliteHostileTest, EmptyAndTinyFiles) {
  ExpectInvalid("", "too short");
  ExpectInvalid("TFL3", "too short");
}

TEST(TfliteHostileTest, WrongIdentifier) {
  std::string bytes = Pack(ValidModel());
  bytes[7] = '2';
  ExpectInvalid(bytes, "file identifier");
}

TEST(TfliteHostileTest, TruncatedAtEveryLength) {
  const std::string bytes = Pack(ValidModel());
  for (size_t len = 0; len < bytes.size(); ++len) {
    SCOPED_TRACE("length " + std::to_string(len));
    auto g = io::ReadTfliteFromBytes(bytes.substr(0, len), kSource);
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidModel) << g.status().ToString();
  }
}

TEST(TfliteHostileTest, RootOffsetOutOfRange) {
  std::string bytes = Pack(ValidModel());
  WriteU32(bytes, 0, static_cast<uint32_t>(bytes.size()) + 64);
  ExpectInvalid(bytes, "flatbuffer structure is corrupt");
  WriteU32(bytes, 0, 0xfffffff0u);
  ExpectInvalid(bytes, "flatbuffer structure is corrupt");
}

TEST(TfliteHostileTest, VtableOffsetOutOfRange) {
  std::string bytes = Pack(ValidModel());
  const uint32_t root = ReadU32(bytes, 0);
  ASSERT_LT(root + 4, bytes.size());
  // A table starts with a signed offset back to its vtable.
  WriteU32(bytes, root, 0x7ffffff0u);
  ExpectInvalid(bytes, "flatbuffer structure is corrupt");
  WriteU32(bytes, root, static_cast<uint32_t>(-static_cast<int32_t>(bytes.size())));
  ExpectInvalid(bytes, "flatbuffer structure is corrupt");
}

TEST(TfliteHostileTest, TensorBufferIndexOutOfRange) {
  ExpectInvalid(Broken([](tflite::ModelT& m) { TensorOf(m, 1).buffer = 99; }), "buffer index 99");
}

TEST(TfliteHostileTest, OperatorInputIndexOutOfRange) {
  ExpectInvalid(Broken([](tflite::ModelT& m) { m.subgraphs[0]->operators[1]->inputs[1] = 6; }),
                "input 1 is tensor 6");
  ExpectInvalid(Broken([](tflite::ModelT& m) { m.subgraphs[0]->operators[0]->inputs[0] = -7; }),
                "input 0 is tensor -7");
}

TEST(TfliteHostileTest, OpcodeIndexOutOfRange) {
  ExpectInvalid(Broken([](tflite::ModelT& m) { m.subgraphs[0]->operators[1]->opcode_index = 2; }),
                "opcode_index 2");
}

TEST(TfliteHostileTest, NegativeShape) {
  ExpectInvalid(Broken([](tflite::ModelT& m) { TensorOf(m, 3).shape = {1, -4, 4, 3}; }), "negative");
}

TEST(TfliteHostileTest, ShapeProductOverflow) {
  ExpectInvalid(Broken([](tflite::ModelT& m) {
                  TensorOf(m, 3).shape = {1 << 30, 1 << 30, 16};
                }),
                "overflows");
}

TEST(TfliteHostileTest, HugeActivationShapeIsNotAllocated) {
  // 2^46 floats: a valid shape no reader may allocate while reading.
  auto g = io::ReadTfliteFromBytes(Broken([](tflite::ModelT& m) {
                                     TensorOf(m, 0).shape = {1 << 14, 1 << 14, 1 << 14, 2};
                                   }),
                                   kSource);
  if (!g.ok()) EXPECT_NE(g.status().message().find(kSource), std::string::npos);
}

TEST(TfliteHostileTest, BufferDataShorterOrLongerThanTheTensor) {
  ExpectInvalid(Broken([](tflite::ModelT& m) { m.buffers[2]->data.resize(8); }), "holds 8 bytes");
  ExpectInvalid(Broken([](tflite::ModelT& m) { m.buffers[1]->data.resize(m.buffers[1]->data.size() + 4); }),
                "holds 220 bytes");
}

TEST(TfliteHostileTest, ExternalBufferBeyondTheFile) {
  ExpectInvalid(Broken([](tflite::ModelT& m) {
                  m.buffers[3]->data.clear();
                  m.buffers[3]->offset = uint64_t{1} << 40;
                  m.buffers[3]->size = 12;
                }),
                "lies outside the file");
  ExpectInvalid(Broken([](tflite::ModelT& m) {
                  m.buffers[3]->data.clear();
                  m.buffers[3]->offset = 16;
                  m.buffers[3]->size = std::numeric_limits<uint64_t>::max() - 8;
                }),
                "lies outside the file");
}

// Tensor 1 (the weights) quantized with the given parameters.
std::string WithWeightQuant(std::vector<float> scale, std::vector<int64_t> zp, int32_t dim) {
  return Broken([&](tflite::ModelT& m) {
    auto q = std::make_unique<tflite::QuantizationParametersT>();
    q->scale = scale;
    q->zero_point = zp;
    q->quantized_dimension = dim;
    TensorOf(m, 1).quantization = std::move(q);
  });
}

TEST(TfliteHostileTest, QuantizationScaleCountMismatch) {
  ExpectInvalid(WithWeightQuant({0.1f, 0.2f}, {0}, 0), "2 scales and 1 zero points");
  ExpectInvalid(WithWeightQuant({0.1f, 0.2f}, {0, 0}, 0), "2 scales, expected 1 or dim 0");
}

TEST(TfliteHostileTest, QuantizedDimensionOutOfRange) {
  ExpectInvalid(WithWeightQuant({0.1f, 0.2f, 0.3f}, {0, 0, 0}, 4), "quantized_dimension 4");
  ExpectInvalid(WithWeightQuant({0.1f}, {0}, -1), "quantized_dimension -1");
}

TEST(TfliteHostileTest, ScaleZeroOrNaN) {
  ExpectInvalid(WithWeightQuant({0.0f}, {0}, 0), "must be finite and > 0");
  ExpectInvalid(WithWeightQuant({std::nanf("")}, {0}, 0), "must be finite and > 0");
  ExpectInvalid(WithWeightQuant({0.1f, -0.2f, 0.1f}, {0, 0, 0}, 0), "must be finite and > 0");
}

TEST(TfliteHostileTest, TensorWrittenByTwoOperators) {
  ExpectInvalid(Broken([](tflite::ModelT& m) { m.subgraphs[0]->operators[1]->outputs = {3}; }),
                "already written by operator 0");
}

TEST(TfliteHostileTest, SparsityIsUnsupported) {
  ExpectRejected(Broken([](tflite::ModelT& m) {
                   TensorOf(m, 1).sparsity = std::make_unique<tflite::SparsityParametersT>();
                 }),
                 StatusCode::kUnsupported, "sparse");
}

// Deterministic pseudo-random byte flips: any status is allowed, a crash or
// an ASan report is not. The base model must still be read after each
// round (nothing global is corrupted).
TEST(TfliteHostileTest, CorruptBytesNeverCrash) {
  const std::string base = Pack(ValidModel());
  int rejected = 0;
  for (uint32_t seed = 0; seed < 400; ++seed) {
    std::mt19937 rng(seed);
    std::string bytes = base;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xff);
    }
    auto g = io::ReadTfliteFromBytes(bytes, kSource);
    if (!g.ok()) {
      ++rejected;
      EXPECT_NE(g.status().message().find(kSource), std::string::npos) << g.status().ToString();
      EXPECT_TRUE(g.status().code() == StatusCode::kInvalidModel ||
                  g.status().code() == StatusCode::kUnsupported)
          << "seed " << seed << ": " << g.status().ToString();
    }
  }
  // Most flips land in offsets, shapes or data sizes the verifier checks.
  EXPECT_GT(rejected, 0);
  EXPECT_TRUE(io::ReadTfliteFromBytes(base, kSource).ok());
}

}  // namespace
}  // namespace qforge
