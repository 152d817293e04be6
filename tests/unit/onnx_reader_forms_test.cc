// Hostile old-opset nodes: the importer's rewrites (onnx_legacy.cc) read
// inputs and attributes, so a node with too few inputs or a mistyped
// attribute must be refused before them (onnx_form.h), never crash them
// or silently take a default.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "unit/onnx_test_models.h"

namespace qforge {
namespace {

using namespace onnx_test;  // NOLINT: test-local builders

// X: float[1, 3, 2, 2] -> one `op` node named "n" with `ins` -> Y, at `opset`.
onnx::ModelProto OneNode(int64_t opset, const std::string& op, const std::vector<std::string>& ins) {
  onnx::ModelProto m = BaseModel(opset);
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {1, 3, 2, 2});
  FloatInit(g->add_initializer(), "S", {3}, {0.1f, 0.2f, 0.3f});
  AddNode(g, op, ins, {"Y"}, "n");
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {1, 3, 2, 2});
  return m;
}

void FloatAttr(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

void StringAttr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

TEST(OnnxReaderForms, Opset6PReluWithTooFewInputs) {
  ExpectError(Read(OneNode(6, "PRelu", {})), StatusCode::kInvalidModel,
              "node 'n' (PRelu, opset 6): has 0 inputs, expected at least 2");
  ExpectError(Read(OneNode(6, "PRelu", {"X"})), StatusCode::kInvalidModel,
              "has 1 inputs, expected at least 2");
  ExpectError(Read(OneNode(6, "PRelu", {"", "S"})), StatusCode::kInvalidModel, "required input 0 is empty");
  // The well-formed node still imports (slope reshaped to [3, 1, 1]).
  ASSERT_TRUE(Read(OneNode(6, "PRelu", {"X", "S"})).ok());
}

TEST(OnnxReaderForms, Opset6BroadcastWithMissingInput) {
  onnx::ModelProto m = OneNode(6, "Add", {"", "S"});
  IntsAttr(m.mutable_graph()->mutable_node(0), "axis", {});
  ExpectError(Read(m), StatusCode::kInvalidModel, "required input 0 is empty");
}

TEST(OnnxReaderForms, MistypedAttributesOfRewrittenOps) {
  onnx::ModelProto add = OneNode(6, "Add", {"X", "S"});
  FloatAttr(add.mutable_graph()->mutable_node(0), "axis", 1.0f);
  ExpectError(Read(add), StatusCode::kInvalidModel,
              "node 'n' (Add, opset 6): attribute 'axis' must be an int");

  onnx::ModelProto clip = OneNode(6, "Clip", {"X"});
  StringAttr(clip.mutable_graph()->mutable_node(0), "min", "zero");
  ExpectError(Read(clip), StatusCode::kInvalidModel, "attribute 'min' must be a float");

  onnx::ModelProto up = OneNode(7, "Upsample", {"X"});
  IntsAttr(up.mutable_graph()->mutable_node(0), "scales", {1, 1, 2, 2});
  ExpectError(Read(up), StatusCode::kInvalidModel, "attribute 'scales' must be a list of floats");

  onnx::ModelProto pad = OneNode(10, "Pad", {"X"});
  IntsAttr(pad.mutable_graph()->mutable_node(0), "pads", {0, 0, 0, 0, 0, 0, 0, 0});
  IntsAttr(pad.mutable_graph()->mutable_node(0), "value", {1});
  ExpectError(Read(pad), StatusCode::kInvalidModel, "attribute 'value' must be a float");

  onnx::ModelProto slice = OneNode(9, "Slice", {"X"});
  FloatAttr(slice.mutable_graph()->mutable_node(0), "starts", 0.0f);
  ExpectError(Read(slice), StatusCode::kInvalidModel, "attribute 'starts' must be a list of ints");
}

TEST(OnnxReaderForms, OldFormsWithTooFewInputs) {
  ExpectError(Read(OneNode(10, "Resize", {"X"})), StatusCode::kInvalidModel,
              "node 'n' (Resize, opset 10): has 1 inputs, expected at least 2");
  ExpectError(Read(OneNode(9, "Upsample", {"X"})), StatusCode::kInvalidModel, "expected at least 2");
  ExpectError(Read(OneNode(8, "Clip", {})), StatusCode::kInvalidModel, "expected at least 1");
  ExpectError(Read(OneNode(12, "Squeeze", {})), StatusCode::kInvalidModel, "expected at least 1");
}

}  // namespace
}  // namespace qforge
