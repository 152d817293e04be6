// Runs the ONNX backend node tests of the quantization ops (Debian
// libonnx-testdata) through RunSingleOp, independently of the ONNX importer:
// this file reads model.onnx and the .pb tensors with the protobuf classes
// itself. The expected outputs were produced by ONNX's numpy reference, an
// implementation independent of ours; every output must match exactly.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

const char kNodeTestDir[] = "/usr/share/libonnx-testdata/data/node/";

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The subset of TensorProto these tests use: dims plus raw_data or the typed fields.
Tensor FromProto(const onnx::TensorProto& p) {
  std::vector<int64_t> dims(p.dims().begin(), p.dims().end());
  DataType dtype = DataType::kUndefined;
  switch (p.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
      dtype = DataType::kFloat32;
      break;
    case onnx::TensorProto_DataType_UINT8:
      dtype = DataType::kUInt8;
      break;
    case onnx::TensorProto_DataType_INT8:
      dtype = DataType::kInt8;
      break;
    case onnx::TensorProto_DataType_INT16:
      dtype = DataType::kInt16;
      break;
    case onnx::TensorProto_DataType_INT32:
      dtype = DataType::kInt32;
      break;
    default:
      ADD_FAILURE() << "unexpected TensorProto data_type " << p.data_type();
      return Tensor();
  }
  Tensor t(dtype, dims);
  if (!p.raw_data().empty()) {
    EXPECT_EQ(p.raw_data().size(), t.byte_size());
    std::memcpy(t.raw_data(), p.raw_data().data(), std::min(t.byte_size(), p.raw_data().size()));
    return t;
  }
  const int64_t n = t.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    switch (dtype) {
      case DataType::kFloat32:
        t.data<float>()[i] = p.float_data(static_cast<int>(i));
        break;
      case DataType::kUInt8:
        t.data<uint8_t>()[i] = static_cast<uint8_t>(p.int32_data(static_cast<int>(i)));
        break;
      case DataType::kInt8:
        t.data<int8_t>()[i] = static_cast<int8_t>(p.int32_data(static_cast<int>(i)));
        break;
      case DataType::kInt16:
        t.data<int16_t>()[i] = static_cast<int16_t>(p.int32_data(static_cast<int>(i)));
        break;
      case DataType::kInt32:
        t.data<int32_t>()[i] = p.int32_data(static_cast<int>(i));
        break;
      default:
        break;
    }
  }
  return t;
}

Tensor ReadTensor(const std::string& path) {
  onnx::TensorProto p;
  EXPECT_TRUE(p.ParseFromString(ReadFileBytes(path))) << path;
  return FromProto(p);
}

ir::Attributes AttrsOf(const onnx::NodeProto& node) {
  ir::Attributes attrs;
  for (const onnx::AttributeProto& a : node.attribute()) {
    switch (a.type()) {
      case onnx::AttributeProto_AttributeType_INT:
        attrs.Set(a.name(), static_cast<int64_t>(a.i()));
        break;
      case onnx::AttributeProto_AttributeType_FLOAT:
        attrs.Set(a.name(), a.f());
        break;
      case onnx::AttributeProto_AttributeType_STRING:
        attrs.Set(a.name(), a.s());
        break;
      case onnx::AttributeProto_AttributeType_INTS:
        attrs.Set(a.name(), std::vector<int64_t>(a.ints().begin(), a.ints().end()));
        break;
      default:
        ADD_FAILURE() << "unexpected attribute type of " << a.name();
    }
  }
  return attrs;
}

class QuantBackendCase : public ::testing::TestWithParam<const char*> {};

TEST_P(QuantBackendCase, MatchesExpectedOutputs) {
  const std::string dir = std::string(kNodeTestDir) + GetParam() + "/";
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(ReadFileBytes(dir + "model.onnx")))
      << dir << " (is libonnx-testdata installed?)";
  const onnx::GraphProto& graph = model.graph();
  ASSERT_EQ(graph.node_size(), 1);
  const onnx::NodeProto& node = graph.node(0);
  std::optional<OpKind> op = OpKindFromOnnx(node.op_type());
  ASSERT_TRUE(op.has_value()) << node.op_type();

  // Node inputs name graph inputs; input_k.pb holds the k-th graph input.
  std::vector<Tensor> storage(static_cast<size_t>(node.input_size()));
  std::vector<const Tensor*> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    if (node.input(i).empty()) {
      inputs.push_back(nullptr);
      continue;
    }
    int k = 0;
    while (k < graph.input_size() && graph.input(k).name() != node.input(i)) ++k;
    ASSERT_LT(k, graph.input_size()) << node.input(i);
    storage[static_cast<size_t>(i)] = ReadTensor(dir + "test_data_set_0/input_" + std::to_string(k) + ".pb");
    inputs.push_back(&storage[static_cast<size_t>(i)]);
  }
  Result<std::vector<Tensor>> got = RunSingleOp(*op, AttrsOf(node), inputs, node.output_size());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(static_cast<int>(got->size()), graph.output_size());
  for (int k = 0; k < graph.output_size(); ++k) {
    Tensor expected = ReadTensor(dir + "test_data_set_0/output_" + std::to_string(k) + ".pb");
    EXPECT_GT(expected.num_elements(), 0) << "output " << k;
    const Tensor& actual = got->at(static_cast<size_t>(k));
    EXPECT_EQ(actual.dtype(), expected.dtype()) << "output " << k;
    EXPECT_EQ(actual.dims(), expected.dims()) << "output " << k;
    EXPECT_EQ(Values(actual), Values(expected)) << "output " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Onnx, QuantBackendCase,
    ::testing::Values("test_quantizelinear", "test_quantizelinear_axis", "test_dequantizelinear",
                      "test_dequantizelinear_axis", "test_dynamicquantizelinear",
                      "test_dynamicquantizelinear_max_adjusted", "test_dynamicquantizelinear_min_adjusted",
                      "test_qlinearconv", "test_qlinearmatmul_2D", "test_qlinearmatmul_3D",
                      "test_basic_convinteger", "test_convinteger_with_padding",
                      "test_convinteger_without_padding", "test_matmulinteger"),
    [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace qforge::testing
