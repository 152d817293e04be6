// The TFLite writer on the bundled Fashion-MNIST models in every quantization
// mode: the file decodes (identifier, verifier, generated object API), has
// the expected operator codes, tensor types, quantization parameters,
// layouts (OHWI / 1HWC weights, HWC-ordered FC columns), aligned and
// deduplicated buffers, a signature def and metadata; and the refusals.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "io/atomic_file.h"
#include "io/tflite/write/tflite_op_version.h"
#include "unit/tflite_writer_test_util.h"

namespace qforge {
namespace {

using namespace tflite_writer_test;  // NOLINT: test helpers
using quant::QuantMode;

const ir::Node* FindNode(const ir::Graph& g, OpKind op) {
  for (const ir::Node& n : g.nodes) {
    if (!n.removed && n.op == op) return &n;
  }
  return nullptr;
}

TEST(TfliteWriter, FloatCnnOpsShapesAndSignature) {
  auto g = Bundled("cnn");
  ASSERT_TRUE(g);
  const std::string bytes = Serialize(*g);
  auto m = Unpack(bytes);
  ASSERT_EQ(m->subgraphs.size(), 1u);
  EXPECT_EQ(m->version, 3u);
  EXPECT_EQ(m->description, "qforge 0.1.0");
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_CONV_2D), 2);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_MAX_POOL_2D), 2);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_FULLY_CONNECTED), 2);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_RESHAPE), 1);
  // Flatten -> Gemm is folded into the FC weights: no TRANSPOSE anywhere.
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_TRANSPOSE), 0);

  const auto& sg = *m->subgraphs[0];
  ASSERT_EQ(sg.inputs.size(), 1u);
  const tflite::TensorT& in = TensorOf(*m, sg.inputs[0]);
  EXPECT_EQ(in.name, "input");
  EXPECT_EQ(in.type, tflite::TensorType_FLOAT32);
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 28, 28, 1}));             // NHWC, batch 1
  EXPECT_EQ(in.shape_signature, (std::vector<int32_t>{-1, 28, 28, 1}));  // dynamic batch
  ASSERT_EQ(m->signature_defs.size(), 1u);
  const auto& sig = *m->signature_defs[0];
  EXPECT_EQ(sig.signature_key, "serving_default");
  ASSERT_EQ(sig.inputs.size(), 1u);
  ASSERT_EQ(sig.outputs.size(), 1u);
  EXPECT_EQ(sig.inputs[0]->name, "input");
  EXPECT_EQ(static_cast<int>(sig.inputs[0]->tensor_index), sg.inputs[0]);
  EXPECT_EQ(sig.outputs[0]->name, g->value(g->outputs[0]).name);
  EXPECT_EQ(static_cast<int>(sig.outputs[0]->tensor_index), sg.outputs[0]);
  std::set<std::string> names;
  for (const auto& t : sg.tensors) EXPECT_TRUE(names.insert(t->name).second) << "duplicate name " << t->name;
}

TEST(TfliteWriter, ConvWeightsAreOhwi) {
  auto g = Bundled("cnn");
  ASSERT_TRUE(g);
  auto m = Unpack(Serialize(*g));
  const ir::Node* conv = FindNode(*g, OpKind::kConv);
  ASSERT_NE(conv, nullptr);
  const Tensor& w = *g->value(conv->inputs[1]).constant;  // OIHW
  const tflite::OperatorT* op = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  ASSERT_NE(op, nullptr);
  const tflite::TensorT& tw = TensorOf(*m, op->inputs[1]);
  const int64_t O = w.dim(0), I = w.dim(1), H = w.dim(2), W = w.dim(3);
  ASSERT_EQ(tw.shape, (std::vector<int32_t>{static_cast<int32_t>(O), static_cast<int32_t>(H),
                                            static_cast<int32_t>(W), static_cast<int32_t>(I)}));
  const float* stored = BufferData<float>(*m, tw);
  ASSERT_NE(stored, nullptr);
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t x = 0; x < W; ++x)
          ASSERT_EQ(stored[((o * H + h) * W + x) * I + i], w.data<float>()[((o * I + i) * H + h) * W + x]);
}

TEST(TfliteWriter, FlattenBeforeGemmPermutesFcColumns) {
  auto g = Bundled("cnn");
  ASSERT_TRUE(g);
  auto m = Unpack(Serialize(*g));
  const ir::Node* flatten = FindNode(*g, OpKind::kFlatten);
  ASSERT_NE(flatten, nullptr);
  const auto& fdims = g->value(flatten->inputs[0]).type.dims;  // [N, C, H, W]
  const int64_t C = fdims[1], H = fdims[2], W = fdims[3];
  const ir::Node* gemm = nullptr;
  for (const ir::Node& n : g->nodes) {
    if (n.op == OpKind::kGemm && n.inputs[0] == flatten->outputs[0]) gemm = &n;
  }
  ASSERT_NE(gemm, nullptr);
  const Tensor& w = *g->value(gemm->inputs[1]).constant;
  const bool trans_b = gemm->attrs.GetInt("transB", 0) != 0;
  const int64_t units = trans_b ? w.dim(0) : w.dim(1);
  const int64_t K = C * H * W;
  const tflite::OperatorT* fc = FirstOp(*m, tflite::BuiltinOperator_FULLY_CONNECTED);
  ASSERT_NE(fc, nullptr);
  const tflite::TensorT& tw = TensorOf(*m, fc->inputs[1]);
  ASSERT_EQ(tw.shape, (std::vector<int32_t>{static_cast<int32_t>(units), static_cast<int32_t>(K)}));
  const float* stored = BufferData<float>(*m, tw);
  ASSERT_NE(stored, nullptr);
  for (int64_t n = 0; n < units; n += 7)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t x = 0; x < W; ++x) {
          const int64_t k_ir = (c * H + h) * W + x, k_tfl = (h * W + x) * C + c;
          const float ir = trans_b ? w.data<float>()[n * K + k_ir] : w.data<float>()[k_ir * units + n];
          ASSERT_EQ(stored[n * K + k_tfl], ir) << "unit " << n << " c " << c << " h " << h << " w " << x;
        }
}

TEST(TfliteWriter, BuffersAlignedDeduplicatedAndMetadata) {
  auto g = Bundled("mobilenet");
  ASSERT_TRUE(g);
  const std::string bytes = Serialize(*g);
  ASSERT_FALSE(bytes.empty());
  const tflite::Model* raw = tflite::GetModel(bytes.data());
  ASSERT_NE(raw->buffers(), nullptr);
  ASSERT_GT(raw->buffers()->size(), 2u);
  EXPECT_TRUE(raw->buffers()->Get(0)->data() == nullptr || raw->buffers()->Get(0)->data()->size() == 0);
  std::set<std::string> contents;
  for (uint32_t i = 1; i < raw->buffers()->size(); ++i) {
    const auto* data = raw->buffers()->Get(i)->data();
    if (data == nullptr || data->size() == 0) continue;
    const size_t offset = static_cast<size_t>(data->data() - reinterpret_cast<const uint8_t*>(bytes.data()));
    EXPECT_EQ(offset % 16, 0u) << "buffer " << i;
    EXPECT_TRUE(
        contents.insert(std::string(reinterpret_cast<const char*>(data->data()), data->size())).second)
        << "buffer " << i << " duplicates another";
  }
  auto m = Unpack(bytes);
  std::map<std::string, std::string> meta;
  for (const auto& e : m->metadata) {
    const auto& d = m->buffers[e->buffer]->data;
    meta[e->name] = std::string(d.begin(), d.end());
  }
  ASSERT_EQ(meta.count("min_runtime_version"), 1u);
  ASSERT_EQ(meta.count("producer"), 1u);
  EXPECT_EQ(meta["producer"], "qforge 0.1.0");
  EXPECT_GE(meta["min_runtime_version"].size(), 16u);
  EXPECT_NE(meta["min_runtime_version"][0], '\0');
}

TEST(TfliteWriter, OperatorCodesOnePerBuiltinWithVersions) {
  Result<ir::Graph> q = Quantized("mobilenet", QuantMode::kInt8);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto m = Unpack(Serialize(*q));
  std::set<int> seen;
  for (const auto& oc : m->operator_codes) {
    EXPECT_TRUE(seen.insert(oc->builtin_code).second) << tflite::EnumNameBuiltinOperator(oc->builtin_code);
    EXPECT_EQ(oc->deprecated_builtin_code, std::min<int>(oc->builtin_code, 127));
    EXPECT_GE(oc->version, 1);
  }
  // A code's version is the highest over its uses: at least an int8 use's.
  io::TfliteOpSig sig;
  sig.op = tflite::BuiltinOperator_CONV_2D;
  io::TfliteTensorSig x{tflite::TensorType_INT8, true, 4, false, false};
  io::TfliteTensorSig w{tflite::TensorType_INT8, true, 4, true, true};
  io::TfliteTensorSig b{tflite::TensorType_INT32, true, 1, true, true};
  sig.inputs = {x, w, b};
  sig.outputs = {x};
  for (const auto& oc : m->operator_codes) {
    if (oc->builtin_code == tflite::BuiltinOperator_CONV_2D) EXPECT_GE(oc->version, io::TfliteOpVersion(sig));
  }
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_QUANTIZE), 1);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_DEQUANTIZE), 1);
  EXPECT_GT(CountOps(*m, tflite::BuiltinOperator_DEPTHWISE_CONV_2D), 0);
}

TEST(TfliteWriter, Int8TensorTypesAndPerChannelParams) {
  Result<ir::Graph> q = Quantized("mobilenet", QuantMode::kInt8);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto m = Unpack(Serialize(*q));
  const auto& sg = *m->subgraphs[0];
  EXPECT_EQ(TensorOf(*m, sg.inputs[0]).type, tflite::TensorType_FLOAT32);
  EXPECT_EQ(TensorOf(*m, sg.outputs[0]).type, tflite::TensorType_FLOAT32);
  for (auto code : {tflite::BuiltinOperator_CONV_2D, tflite::BuiltinOperator_DEPTHWISE_CONV_2D}) {
    const tflite::OperatorT* op = FirstOp(*m, code);
    ASSERT_NE(op, nullptr);
    const tflite::TensorT& x = TensorOf(*m, op->inputs[0]);
    const tflite::TensorT& w = TensorOf(*m, op->inputs[1]);
    const tflite::TensorT& b = TensorOf(*m, op->inputs[2]);
    EXPECT_EQ(x.type, tflite::TensorType_INT8);
    EXPECT_EQ(w.type, tflite::TensorType_INT8);
    EXPECT_EQ(b.type, tflite::TensorType_INT32);
    ASSERT_TRUE(x.quantization && w.quantization && b.quantization);
    const bool dw = code == tflite::BuiltinOperator_DEPTHWISE_CONV_2D;
    if (dw) EXPECT_EQ(w.shape[0], 1);
    const int channels = dw ? w.shape[3] : w.shape[0];
    ASSERT_EQ(static_cast<int>(w.quantization->scale.size()), channels);
    EXPECT_EQ(w.quantization->quantized_dimension, dw ? 3 : 0);
    for (int64_t z : w.quantization->zero_point) EXPECT_EQ(z, 0);
    ASSERT_EQ(b.quantization->scale.size(), w.quantization->scale.size());
    for (size_t c = 0; c < b.quantization->scale.size(); ++c) {
      EXPECT_NEAR(b.quantization->scale[c], x.quantization->scale[0] * w.quantization->scale[c],
                  1e-6 * b.quantization->scale[c]);
    }
  }
}

TEST(TfliteWriter, Int8OnlyWithUint8Io) {
  quant::QuantizeOptions opt;
  opt.io_type = DataType::kUInt8;
  Result<ir::Graph> q = Quantized("cnn", QuantMode::kInt8Only, opt);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto m = Unpack(Serialize(*q));
  const auto& sg = *m->subgraphs[0];
  const tflite::TensorT& in = TensorOf(*m, sg.inputs[0]);
  EXPECT_EQ(in.type, tflite::TensorType_UINT8);
  EXPECT_EQ(TensorOf(*m, sg.outputs[0]).type, tflite::TensorType_UINT8);
  ASSERT_TRUE(in.quantization);
  ASSERT_EQ(in.quantization->scale.size(), 1u);
  // The uint8 -> int8 boundary is a QUANTIZE reading the graph input.
  const tflite::OperatorT& first = *sg.operators[0];
  EXPECT_EQ(OpOf(*m, first), tflite::BuiltinOperator_QUANTIZE);
  EXPECT_EQ(first.inputs[0], sg.inputs[0]);
  EXPECT_EQ(TensorOf(*m, first.outputs[0]).type, tflite::TensorType_INT8);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_DEQUANTIZE), 0);
}

TEST(TfliteWriter, Float16WeightsAreDequantizedFp16Buffers) {
  Result<ir::Graph> q = Quantized("cnn", QuantMode::kFloat16);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto m = Unpack(Serialize(*q));
  const tflite::OperatorT* conv = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  ASSERT_NE(conv, nullptr);
  const tflite::TensorT& w = TensorOf(*m, conv->inputs[1]);
  EXPECT_EQ(w.type, tflite::TensorType_FLOAT32);
  EXPECT_EQ(w.buffer, 0u);  // produced by a DEQUANTIZE
  int fp16_dequantize = 0;
  for (const auto& op : m->subgraphs[0]->operators) {
    if (OpOf(*m, *op) != tflite::BuiltinOperator_DEQUANTIZE) continue;
    const tflite::TensorT& src = TensorOf(*m, op->inputs[0]);
    if (src.type != tflite::TensorType_FLOAT16) continue;
    ++fp16_dequantize;
    EXPECT_NE(src.buffer, 0u);
    size_t count = 1;
    for (int d : src.shape) count *= static_cast<size_t>(d);
    EXPECT_EQ(m->buffers[src.buffer]->data.size(), 2 * count);
    if (op->outputs[0] == conv->inputs[1]) EXPECT_EQ(src.shape, w.shape);
  }
  EXPECT_GE(fp16_dequantize, 4);  // 2 conv + 2 FC weights at least
}

TEST(TfliteWriter, WeightOnlyIsInt8BuffersThroughDequantize) {
  Result<ir::Graph> q = Quantized("cnn", QuantMode::kWeightOnly);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto m = Unpack(Serialize(*q));
  const tflite::OperatorT* conv = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  ASSERT_NE(conv, nullptr);
  const tflite::OperatorT* deq = nullptr;
  for (const auto& op : m->subgraphs[0]->operators) {
    if (OpOf(*m, *op) == tflite::BuiltinOperator_DEQUANTIZE && op->outputs[0] == conv->inputs[1])
      deq = op.get();
  }
  ASSERT_NE(deq, nullptr);
  const tflite::TensorT& w = TensorOf(*m, deq->inputs[0]);
  EXPECT_EQ(w.type, tflite::TensorType_INT8);
  ASSERT_TRUE(w.quantization);
  EXPECT_EQ(static_cast<int>(w.quantization->scale.size()), w.shape[0]);  // per output channel, OHWI
  EXPECT_EQ(w.quantization->quantized_dimension, 0);
}

TEST(TfliteWriter, DynamicIsHybridConvAndFc) {
  Result<ir::Graph> q = Quantized("cnn", QuantMode::kDynamic);
  ASSERT_TRUE(q.ok()) << q.status().message();
  auto m = Unpack(Serialize(*q));
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_DEQUANTIZE), 0);
  const tflite::OperatorT* fc = FirstOp(*m, tflite::BuiltinOperator_FULLY_CONNECTED);
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(TensorOf(*m, fc->inputs[0]).type, tflite::TensorType_FLOAT32);
  EXPECT_EQ(TensorOf(*m, fc->inputs[1]).type, tflite::TensorType_INT8);
  EXPECT_EQ(TensorOf(*m, fc->inputs[2]).type, tflite::TensorType_FLOAT32);
  EXPECT_EQ(TensorOf(*m, fc->outputs[0]).type, tflite::TensorType_FLOAT32);
  ASSERT_EQ(fc->builtin_options.type, tflite::BuiltinOptions_FullyConnectedOptions);
  EXPECT_TRUE(fc->builtin_options.AsFullyConnectedOptions()->asymmetric_quantize_inputs);
  const tflite::OperatorT* conv = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(TensorOf(*m, conv->inputs[0]).type, tflite::TensorType_FLOAT32);
  EXPECT_EQ(TensorOf(*m, conv->inputs[1]).type, tflite::TensorType_INT8);
}

TEST(TfliteWriter, Uint8ActivationsAreRefused) {
  quant::QuantizeOptions opt;
  opt.activation_type = DataType::kUInt8;
  Result<ir::Graph> q = Quantized("cnn", QuantMode::kInt8, opt);
  ASSERT_TRUE(q.ok()) << q.status().message();
  Result<std::string> bytes = io::SerializeTflite(*q);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(bytes.status().message().find("--activations int8"), std::string::npos)
      << bytes.status().message();
}

TEST(TfliteWriter, TooLargeIsRefused) {
  auto g = Bundled("cnn");
  ASSERT_TRUE(g);
  Result<std::string> bytes = io::SerializeTflite(*g, 4096);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(bytes.status().message().find("at most 4096 bytes"), std::string::npos)
      << bytes.status().message();
  EXPECT_TRUE(io::SerializeTflite(*g, io::kTfliteMaxBytes).ok());
}

TEST(TfliteWriter, WriteIsAtomicAndReportsPath) {
  auto g = Bundled("cnn");
  ASSERT_TRUE(g);
  Status s = io::WriteTflite(*g, "/nonexistent-dir/x.tflite");
  EXPECT_FALSE(s.ok());
  const std::string path = ::testing::TempDir() + "/tflite_writer_test_cnn.tflite";
  ASSERT_TRUE(io::WriteTflite(*g, path).ok());
  std::string bytes;
  ASSERT_TRUE(io::ReadFile(path, &bytes).ok());
  EXPECT_EQ(bytes.substr(4, 4), "TFL3");
}

}  // namespace
}  // namespace qforge
