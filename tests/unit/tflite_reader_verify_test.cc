// The TFLite reader's verification contract: broken files are kInvalidModel
// naming the file and the rule broken, valid files with features qforge
// lacks are kUnsupported naming the feature; nothing is built before.
#include <gtest/gtest.h>

#include <functional>

#include "io/tflite/read/tflite_reader.h"
#include "unit/tflite_reader_test_models.h"

namespace qforge {
namespace {

using tflite_test::TfliteBuilder;

// x [1, 4] + c [1, 4] -> y, int8 quantized so the quantization rules apply.
TfliteBuilder AddModel() {
  TfliteBuilder b;
  const int x = b.Tensor("x", tflite::TensorType_INT8, {1, 4});
  b.Quantize(x, {0.5f}, {1});
  const int c = b.Constant("c", tflite::TensorType_INT8, {1, 4}, std::vector<int8_t>{1, 2, 3, 4});
  b.Quantize(c, {0.25f}, {0});
  const int y = b.Tensor("y", tflite::TensorType_INT8, {1, 4});
  b.Quantize(y, {1.0f}, {-2});
  b.Op(tflite::BuiltinOperator_ADD, {x, c}, {y}, tflite::AddOptionsT{});
  b.Io({x}, {y});
  return b;
}

Status ReadBytes(const std::string& bytes) {
  auto g = io::ReadTfliteFromBytes(bytes, "bad.tflite");
  return g.ok() ? Status::Ok() : g.status();
}

Status ReadMutated(const std::function<void(TfliteBuilder&)>& mutate) {
  TfliteBuilder b = AddModel();
  mutate(b);
  return ReadBytes(b.Finish());
}

void ExpectError(const Status& s, StatusCode code, const std::string& fragment) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.message().rfind("bad.tflite: ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(fragment), std::string::npos) << "'" << fragment << "' not in: " << s.message();
}

tflite::TensorT& TensorAt(TfliteBuilder& b, int i) { return *b.subgraph().tensors[static_cast<size_t>(i)]; }

TEST(TfliteReaderVerify, BaseModelReads) {
  auto g = io::ReadTfliteFromBytes(AddModel().Finish(), "ok.tflite");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ((*g)->nodes.size(), 1u);
  EXPECT_EQ((*g)->nodes[0].op, OpKind::kAdd);
}

TEST(TfliteReaderVerify, TruncatedShortAndWrongIdentifier) {
  const std::string good = AddModel().Finish();
  ExpectError(ReadBytes(good.substr(0, good.size() / 2)), StatusCode::kInvalidModel, "corrupt");
  ExpectError(ReadBytes(good.substr(0, 5)), StatusCode::kInvalidModel, "too short");
  std::string wrong = good;
  wrong.replace(4, 4, "ONNX");
  ExpectError(ReadBytes(wrong), StatusCode::kInvalidModel, "identifier is 'ONNX'");
}

TEST(TfliteReaderVerify, CorruptRootOffset) {
  std::string bytes = AddModel().Finish();
  bytes[0] = '\xff';
  bytes[1] = '\xff';
  ExpectError(ReadBytes(bytes), StatusCode::kInvalidModel, "corrupt");
}

TEST(TfliteReaderVerify, VersionAndBufferZero) {
  ExpectError(ReadMutated([](TfliteBuilder& b) { b.model().version = 2; }), StatusCode::kInvalidModel,
              "schema version 2");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                b.model().buffers[0]->data = {1, 2};
              }),
              StatusCode::kInvalidModel, "buffer 0 is not empty");
}

TEST(TfliteReaderVerify, TensorRules) {
  ExpectError(ReadMutated([](TfliteBuilder& b) { TensorAt(b, 1).buffer = 99; }), StatusCode::kInvalidModel,
              "tensor 1 'c': buffer index 99");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                TensorAt(b, 0).shape = {1, -4};
              }),
              StatusCode::kInvalidModel, "tensor 0 'x': shape dim 1 is negative");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                TensorAt(b, 0).shape = {1 << 30, 1 << 30, 1 << 30};
              }),
              StatusCode::kInvalidModel, "overflows");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                TensorAt(b, 1).shape = {1, 5};
              }),
              StatusCode::kInvalidModel, "buffer 1 holds 4 bytes");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                TensorAt(b, 0).sparsity = std::make_unique<tflite::SparsityParametersT>();
              }),
              StatusCode::kUnsupported, "sparse");
}

TEST(TfliteReaderVerify, ExternalBufferOutsideFile) {
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                b.model().buffers[1]->data.clear();
                b.model().buffers[1]->offset = 1u << 20;
                b.model().buffers[1]->size = 4;
              }),
              StatusCode::kInvalidModel, "outside the file");
}

TEST(TfliteReaderVerify, QuantizationRules) {
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                TensorAt(b, 0).quantization->zero_point = {1, 2};
              }),
              StatusCode::kInvalidModel, "1 scales and 2 zero points");
  ExpectError(ReadMutated([](TfliteBuilder& b) { TensorAt(b, 0).quantization->scale = {0.0f}; }),
              StatusCode::kInvalidModel, "finite and > 0");
  ExpectError(ReadMutated([](TfliteBuilder& b) { TensorAt(b, 0).quantization->zero_point = {300}; }),
              StatusCode::kInvalidModel, "zero point 300 is outside the int8 range");
  ExpectError(ReadMutated([](TfliteBuilder& b) { TensorAt(b, 1).quantization->quantized_dimension = 2; }),
              StatusCode::kInvalidModel, "quantized_dimension 2");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                TensorAt(b, 1).quantization->scale = {1, 1, 1};
                TensorAt(b, 1).quantization->zero_point = {0, 0, 0};
                TensorAt(b, 1).quantization->quantized_dimension = 1;
              }),
              StatusCode::kInvalidModel, "3 scales, expected 1 or dim 1");
}

TEST(TfliteReaderVerify, OperatorIndexRules) {
  ExpectError(ReadMutated([](TfliteBuilder& b) { b.subgraph().operators[0]->inputs[1] = 7; }),
              StatusCode::kInvalidModel, "operator 0 (ADD): input 1 is tensor 7");
  ExpectError(ReadMutated([](TfliteBuilder& b) { b.subgraph().operators[0]->outputs[0] = -1; }),
              StatusCode::kInvalidModel, "output 0 is tensor -1");
  ExpectError(ReadMutated([](TfliteBuilder& b) { b.subgraph().operators[0]->opcode_index = 5; }),
              StatusCode::kInvalidModel, "opcode_index 5");
  ExpectError(ReadMutated([](TfliteBuilder& b) { b.subgraph().outputs = {9}; }), StatusCode::kInvalidModel,
              "subgraph 0 output 0 is tensor 9");
  ExpectError(ReadMutated([](TfliteBuilder& b) { b.subgraph().operators[0]->outputs[0] = 1; }),
              StatusCode::kInvalidModel, "writes tensor 1 'c', a constant");
}

TEST(TfliteReaderVerify, TensorWrittenTwice) {
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                b.Op(tflite::BuiltinOperator_ADD, {0, 1}, {2}, tflite::AddOptionsT{});
              }),
              StatusCode::kInvalidModel,
              "operator 1 (ADD): writes tensor 2 'y', already written by operator 0");
}

TEST(TfliteReaderVerify, CustomAndUnknownOpsAreUnsupported) {
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                auto& code = *b.model().operator_codes[0];
                code.builtin_code = tflite::BuiltinOperator_CUSTOM;
                code.deprecated_builtin_code = tflite::BuiltinOperator_CUSTOM;
                code.custom_code = "MyFancyOp";
              }),
              StatusCode::kUnsupported, "custom op 'MyFancyOp'");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                auto& code = *b.model().operator_codes[0];
                code.builtin_code = static_cast<tflite::BuiltinOperator>(200);
                code.deprecated_builtin_code = 127;
              }),
              StatusCode::kUnsupported, "unsupported ops: STABLEHLO_WHILE (1 node:");
  // A code newer than every TFLite name qforge knows.
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                auto& code = *b.model().operator_codes[0];
                code.builtin_code = static_cast<tflite::BuiltinOperator>(300);
                code.deprecated_builtin_code = 127;
              }),
              StatusCode::kUnsupported, "builtin code 300 is not supported");
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                auto& code = *b.model().operator_codes[0];
                code.builtin_code = static_cast<tflite::BuiltinOperator>(119);  // WHILE
                code.deprecated_builtin_code = 119;
              }),
              StatusCode::kUnsupported, "operator 0 (WHILE): control flow");
  // A builtin qforge does not read is named by its TFLite name, not its code.
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                auto& code = *b.model().operator_codes[0];
                code.builtin_code = tflite::BuiltinOperator_UNIQUE;
                code.deprecated_builtin_code = tflite::BuiltinOperator_UNIQUE;
              }),
              StatusCode::kUnsupported, "unsupported ops: UNIQUE (1 node:");
  // Codes above 127 are read from builtin_code (deprecated_builtin_code is 127).
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                auto& code = *b.model().operator_codes[0];
                code.builtin_code = tflite::BuiltinOperator_GELU;
                code.deprecated_builtin_code = 127;
              }),
              StatusCode::kUnsupported, "unsupported ops: GELU (1 node:");
}

TEST(TfliteReaderVerify, FusedTanhIsUnsupported) {
  ExpectError(ReadMutated([](TfliteBuilder& b) {
                tflite::AddOptionsT o;
                o.fused_activation_function = tflite::ActivationFunctionType_TANH;
                b.subgraph().operators[0]->builtin_options.Set(std::move(o));
              }),
              StatusCode::kUnsupported, "fused activation TANH");
}

TEST(TfliteReaderVerify, MissingFileIsAnIoError) {
  auto g = io::ReadTflite("/nonexistent/model.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().code(), StatusCode::kOk);
  EXPECT_NE(g.status().message().find("/nonexistent/model.tflite"), std::string::npos);
}

}  // namespace
}  // namespace qforge
