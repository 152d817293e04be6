// Hostile models that are small files asking for much work or for values
// with no meaning: the importer refuses them with a model error or leaves
// the work to the runtime, never computes it at load or exits 70.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "unit/onnx_test_models.h"

namespace qforge {
namespace {

using namespace onnx_test;  // NOLINT: test-local builders

void Int64Init(onnx::TensorProto* t, const std::string& name, const std::vector<int64_t>& values) {
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) t->add_int64_data(v);
}

// A Conv of two ConstantOfShape outputs (16 MiB and 4 MiB of zeros, each
// cheap to fold) costing 7e10 multiply-adds: a file of a few hundred bytes.
TEST(OnnxReaderLimits, ConvOfLargeConstantsIsNotFoldedAtLoad) {
  onnx::ModelProto m = BaseModel(13);
  auto* g = m.mutable_graph();
  Int64Init(g->add_initializer(), "xs", {1, 16, 1024, 256});
  Int64Init(g->add_initializer(), "ws", {1, 16, 512, 128});
  AddNode(g, "ConstantOfShape", {"xs"}, {"X"}, "cx");
  AddNode(g, "ConstantOfShape", {"ws"}, {"W"}, "cw");
  AddNode(g, "Conv", {"X", "W"}, {"Y"}, "conv");
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {1, 1, 513, 129});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Node* conv = FindNode(*r.value(), OpKind::kConv);
  ASSERT_NE(conv, nullptr) << "the Conv was folded at load";
  EXPECT_FALSE(r.value()->value(conv->outputs[0]).is_constant());
}

onnx::ModelProto PoolModel(const std::string& op, const std::vector<int64_t>& dims) {
  onnx::ModelProto m = BaseModel(13);
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, dims);
  AddNode(g, op, {"X"}, {"Y"}, "p");
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {});
  g->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  return m;
}

TEST(OnnxReaderLimits, PoolsOverAnEmptySpatialDimAreInvalid) {
  ExpectError(Read(PoolModel("GlobalAveragePool", {1, 3, 0, 4})), StatusCode::kInvalidModel,
              "has an empty spatial dim");
  ExpectError(Read(PoolModel("GlobalMaxPool", {1, 3, 4, 0})), StatusCode::kInvalidModel,
              "has an empty spatial dim");
  onnx::ModelProto avg = PoolModel("AveragePool", {1, 3, 0, 4});
  IntsAttr(avg.mutable_graph()->mutable_node(0), "kernel_shape", {1, 1});
  IntsAttr(avg.mutable_graph()->mutable_node(0), "pads", {1, 1, 1, 1});
  ExpectError(Read(avg), StatusCode::kInvalidModel, "has an empty spatial dim");
}

TEST(OnnxReaderLimits, ReduceMeanOverAnEmptyAxisIsInvalid) {
  onnx::ModelProto m = PoolModel("ReduceMean", {2, 0, 3});
  IntsAttr(m.mutable_graph()->mutable_node(0), "axes", {1});
  ExpectError(Read(m), StatusCode::kInvalidModel, "has an empty axis 1 to reduce");
}

TEST(OnnxReaderLimits, TooLargeStridesNameTheLimit) {
  onnx::ModelProto m = PoolModel("MaxPool", {1, 3, 4, 4});
  IntsAttr(m.mutable_graph()->mutable_node(0), "kernel_shape", {1, 1});
  IntsAttr(m.mutable_graph()->mutable_node(0), "strides", {2147483647, 1});
  ExpectError(Read(m), StatusCode::kInvalidModel, "strides [2147483647, 1] must be in [1, 1073741824]");
}

}  // namespace
}  // namespace qforge
