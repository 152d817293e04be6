// The ONNX importer on hand-built good models: the expected IR, old opsets
// rewritten to the IR's form, constant folding.
#include "io/onnx/onnx_reader.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "runtime/interpreter.h"
#include "test_util.h"
#include "unit/onnx_test_models.h"

namespace qforge {
namespace {

using namespace onnx_test;  // NOLINT: test-local builders

// --- Good models ----------------------------------------------------------

TEST(OnnxReader, ImportsAndRunsAddModel) {
  auto r = Read(AddModel());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Graph& g = **r;
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0]).name, "X");
  EXPECT_EQ(g.value(g.inputs[0]).type.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(g.source_opset, 13);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kAdd);
  EXPECT_EQ(g.nodes[0].name, "add");
  EXPECT_TRUE(g.value(g.nodes[0].inputs[1]).is_constant());

  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(r).value()));
  std::vector<Tensor> in = {testing::MakeTensor(DataType::kFloat32, {2, 3}, {10, 20, 30, 40, 50, 60})};
  auto out = interp.Run(in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  Tensor want = testing::MakeTensor(DataType::kFloat32, {2, 3}, {11, 22, 33, 44, 55, 66});
  EXPECT_EQ(testing::MaxRelError((*out)[0], want), 0.0);
}

TEST(OnnxReader, InitializerListedAsInputIsAConstant) {
  onnx::ModelProto m = AddModel();
  SetType(m.mutable_graph()->add_input(), "W", onnx::TensorProto::FLOAT, {2, 3});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->inputs.size(), 1u);
  EXPECT_EQ((*r)->value((*r)->inputs[0]).name, "X");
}

TEST(OnnxReader, EmptyNodeNamesAreSynthesized) {
  onnx::ModelProto m = AddModel();
  m.mutable_graph()->mutable_node(0)->clear_name();
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->nodes[0].name, "Add_0");
}

TEST(OnnxReader, DynamicDimsKeepTheirNames) {
  onnx::ModelProto m = BaseModel();
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  SetType(in, "X", onnx::TensorProto::FLOAT, {});
  auto* shape = in->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->add_dim()->set_dim_param("batch");
  shape->add_dim()->set_dim_value(4);
  shape->add_dim();  // neither value nor name
  AddNode(g, "Relu", {"X"}, {"Y"});
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {});
  g->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::TensorType& t = (*r)->value((*r)->inputs[0]).type;
  EXPECT_EQ(t.dims, (std::vector<int64_t>{ir::kDynamicDim, 4, ir::kDynamicDim}));
  ASSERT_EQ(t.dim_names.size(), 3u);
  EXPECT_EQ(t.dim_names[0], "batch");
  EXPECT_EQ(t.dim_names[2], "");
  // The output had no shape in the file; inference filled in the rank.
  const ir::TensorType& y = (*r)->value((*r)->outputs[0]).type;
  EXPECT_TRUE(y.rank_known);
  EXPECT_EQ(y.rank(), 3);
}

TEST(OnnxReader, TypedDataFieldsAndConstantNodes) {
  onnx::ModelProto m = BaseModel();
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {3});
  // A Constant node with float_data, and value_ints/value_float forms.
  auto* c = AddNode(g, "Constant", {}, {"C"});
  auto* a = c->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_dims(3);
  for (float v : {0.5f, -1.5f, 2.0f}) a->mutable_t()->add_float_data(v);
  auto* ci = AddNode(g, "Constant", {}, {"CI"});
  IntsAttr(ci, "value_ints", {7, -8});
  AddNode(g, "Mul", {"X", "C"}, {"Y"});
  // int8 data travels in int32_data.
  auto* q = g->add_initializer();
  q->set_name("Q");
  q->set_data_type(onnx::TensorProto::INT8);
  q->add_dims(2);
  q->add_int32_data(-128);
  q->add_int32_data(127);
  AddNode(g, "Identity", {"Q"}, {"QY"});
  AddNode(g, "Identity", {"CI"}, {"CIY"});
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {3});
  SetType(g->add_output(), "QY", onnx::TensorProto::INT8, {2});
  SetType(g->add_output(), "CIY", onnx::TensorProto::INT64, {2});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Graph& graph = **r;
  const ir::Node* mul = FindNode(graph, OpKind::kMul);
  ASSERT_NE(mul, nullptr);
  const Tensor& cv = *graph.value(mul->inputs[1]).constant;
  EXPECT_EQ(cv.dims(), (std::vector<int64_t>{3}));
  EXPECT_EQ(cv.data<float>()[1], -1.5f);
  // Identity of constants folds: the outputs are constants now.
  const ir::Value& qy = graph.value(graph.outputs[1]);
  ASSERT_TRUE(qy.is_constant());
  EXPECT_EQ(qy.constant->dtype(), DataType::kInt8);
  EXPECT_EQ(qy.constant->data<int8_t>()[0], -128);
  EXPECT_EQ(qy.constant->data<int8_t>()[1], 127);
  EXPECT_EQ(IntValues(graph, graph.outputs[2]), (std::vector<int64_t>{7, -8}));
}

TEST(OnnxReader, FoldsShapeSubgraphs) {
  // Y = Reshape(X, Concat(Shape(W)[1:], [-1])): everything but the Reshape is constant.
  onnx::ModelProto m = BaseModel();
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {2, 3});
  FloatInit(g->add_initializer(), "W", {4, 6}, std::vector<float>(24, 0.f));
  auto* minus1 = g->add_initializer();
  minus1->set_name("minus1");
  minus1->set_data_type(onnx::TensorProto::INT64);
  minus1->add_dims(1);
  minus1->add_int64_data(-1);
  auto* idx = g->add_initializer();
  idx->set_name("idx");
  idx->set_data_type(onnx::TensorProto::INT64);
  idx->add_dims(1);
  idx->add_int64_data(0);
  AddNode(g, "Shape", {"X"}, {"sx"});
  AddNode(g, "Gather", {"sx", "idx"}, {"first"});
  AddNode(g, "Concat", {"first", "minus1"}, {"target"})->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("axis");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(0);
    return a;
  }());
  AddNode(g, "Reshape", {"X", "target"}, {"Y"});
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {2, 3});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Graph& graph = **r;
  ASSERT_EQ(graph.nodes.size(), 1u) << ir::PrintGraph(graph);
  EXPECT_EQ(graph.nodes[0].op, OpKind::kReshape);
  const ir::Value& target = graph.value(graph.nodes[0].inputs[1]);
  EXPECT_EQ(target.name, "target");  // folded values keep their names
  ASSERT_TRUE(target.is_constant());
  EXPECT_EQ(IntValues(graph, graph.nodes[0].inputs[1]), (std::vector<int64_t>{2, -1}));
  // The unused initializer W was dropped by Compact().
  EXPECT_FALSE(graph.FindValue("W").has_value());
}

TEST(OnnxReader, ConvInputIsNchw) {
  onnx::ModelProto m = BaseModel();
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {1, 2, 5, 5});
  FloatInit(g->add_initializer(), "K", {3, 2, 3, 3}, std::vector<float>(54, 0.1f));
  AddNode(g, "Conv", {"X", "K"}, {"Y"});
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {1, 3, 3, 3});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->value((*r)->inputs[0]).type.layout, ir::Layout::kNCHW);
}

// --- Old opsets become the IR's latest form --------------------------------

TEST(OnnxReader, LegacyClipAttributesBecomeInputs) {
  onnx::ModelProto m = BaseModel(10);
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {4});
  auto* n = AddNode(g, "Clip", {"X"}, {"Y"}, "clip");
  auto* lo = n->add_attribute();
  lo->set_name("min");
  lo->set_type(onnx::AttributeProto::FLOAT);
  lo->set_f(-1.f);
  auto* hi = n->add_attribute();
  hi->set_name("max");
  hi->set_type(onnx::AttributeProto::FLOAT);
  hi->set_f(2.5f);
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {4});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Graph& graph = **r;
  const ir::Node& clip = graph.nodes[0];
  ASSERT_EQ(clip.inputs.size(), 3u);
  EXPECT_FALSE(clip.attrs.Has("min"));
  EXPECT_EQ(graph.value(clip.inputs[1]).constant->data<float>()[0], -1.f);
  EXPECT_EQ(graph.value(clip.inputs[2]).constant->data<float>()[0], 2.5f);

  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(r).value()));
  std::vector<Tensor> in = {testing::MakeTensor(DataType::kFloat32, {4}, {-3, 0, 2, 9})};
  auto out = interp.Run(in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(testing::MaxRelError((*out)[0], testing::MakeTensor(DataType::kFloat32, {4}, {-1, 0, 2, 2.5})),
            0.0);
}

TEST(OnnxReader, LegacyAxesAndSoftmaxAndCast) {
  onnx::ModelProto m = BaseModel(11);
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {2, 3});
  IntsAttr(AddNode(g, "Unsqueeze", {"X"}, {"U"}, "unsq"), "axes", {0});
  AddNode(g, "Softmax", {"U"}, {"S"}, "soft");
  auto* cast = AddNode(g, "Cast", {"S"}, {"C"}, "cast");
  auto* to = cast->add_attribute();
  to->set_name("to");
  to->set_type(onnx::AttributeProto::INT);
  to->set_i(onnx::TensorProto::INT32);
  SetType(g->add_output(), "C", onnx::TensorProto::INT32, {1, 2, 3});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Graph& graph = **r;
  const ir::Node* unsq = FindNode(graph, OpKind::kUnsqueeze);
  ASSERT_NE(unsq, nullptr);
  ASSERT_EQ(unsq->inputs.size(), 2u);
  EXPECT_EQ(IntValues(graph, unsq->inputs[1]), (std::vector<int64_t>{0}));
  const ir::Node* soft = FindNode(graph, OpKind::kSoftmax);
  ASSERT_NE(soft, nullptr);
  EXPECT_EQ(soft->attrs.GetInt("coerce_2d", 0), 1);
  EXPECT_EQ(soft->attrs.GetInt("axis", -1), 1);  // the pre-13 default
  const ir::Node* c = FindNode(graph, OpKind::kCast);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->attrs.GetInt("to", 0), static_cast<int64_t>(DataType::kInt32));
}

TEST(OnnxReader, LegacyReduceMeanAxes) {
  onnx::ModelProto m = BaseModel(13);
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {2, 3});
  IntsAttr(AddNode(g, "ReduceMean", {"X"}, {"Y"}), "axes", {1});
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {2, 1});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Node& n = (*r)->nodes[0];
  ASSERT_EQ(n.inputs.size(), 2u);
  EXPECT_FALSE(n.attrs.Has("axes"));
  EXPECT_EQ(IntValues(**r, n.inputs[1]), (std::vector<int64_t>{1}));
}

TEST(OnnxReader, UpsampleBecomesResize) {
  for (int64_t opset : {7, 9}) {
    onnx::ModelProto m = BaseModel(opset);
    auto* g = m.mutable_graph();
    SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {1, 1, 2, 2});
    auto* n = AddNode(g, "Upsample", {"X"}, {"Y"}, "up");
    if (opset == 7) {
      auto* a = n->add_attribute();
      a->set_name("scales");
      a->set_type(onnx::AttributeProto::FLOATS);
      for (float f : {1.f, 1.f, 2.f, 2.f}) a->add_floats(f);
    } else {
      FloatInit(g->add_initializer(), "scales", {4}, {1, 1, 2, 2});
      n->add_input("scales");
    }
    SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {1, 1, 4, 4});
    auto r = Read(m);
    ASSERT_TRUE(r.ok()) << "opset " << opset << ": " << r.status().ToString();
    ASSERT_EQ((*r)->nodes.size(), 1u);
    EXPECT_EQ((*r)->nodes[0].op, OpKind::kResize);
    runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(r).value()));
    std::vector<Tensor> in = {testing::MakeTensor(DataType::kFloat32, {1, 1, 2, 2}, {1, 2, 3, 4})};
    auto out = interp.Run(in);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    // Nearest with x_in = floor(x_out / 2): each pixel becomes a 2x2 block.
    Tensor want = testing::MakeTensor(DataType::kFloat32, {1, 1, 4, 4},
                                      {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
    EXPECT_EQ(testing::MaxRelError((*out)[0], want), 0.0) << "opset " << opset;
  }
}

TEST(OnnxReader, UpsampleLinearSamplesAsymmetrically) {
  // Upsample's x_in = x_out / scale: [1, 2] x2 -> [1, 1.5, 2, 2] (the last
  // sample clamps). Resize's default half_pixel would give [1, 1.25, 1.75, 2].
  onnx::ModelProto m = BaseModel(9);
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {1, 1, 1, 2});
  FloatInit(g->add_initializer(), "scales", {4}, {1, 1, 1, 2});
  auto* n = AddNode(g, "Upsample", {"X", "scales"}, {"Y"}, "up");
  auto* a = n->add_attribute();
  a->set_name("mode");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("linear");
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {1, 1, 1, 4});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(r).value()));
  auto out = interp.Run(std::vector<Tensor>{testing::MakeTensor(DataType::kFloat32, {1, 1, 1, 2}, {1, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(
      testing::MaxRelError((*out)[0], testing::MakeTensor(DataType::kFloat32, {1, 1, 1, 4}, {1, 1.5, 2, 2})),
      0.0);
}

TEST(OnnxReader, Opset6LegacyBroadcastWithAxis) {
  // Opset 6 Add(broadcast=1, axis=1): B [3] lines up with A's dim 1.
  onnx::ModelProto m = BaseModel(6);
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "A", onnx::TensorProto::FLOAT, {2, 3, 2});
  FloatInit(g->add_initializer(), "B", {3}, {100, 200, 300});
  auto* n = AddNode(g, "Add", {"A", "B"}, {"Y"}, "add");
  for (auto [name, v] : {std::pair<const char*, int64_t>{"broadcast", 1}, {"axis", 1}}) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {2, 3, 2});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE((*r)->nodes[0].attrs.Has("broadcast"));
  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(r).value()));
  std::vector<double> a(12, 0.0);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i);
  auto out = interp.Run(std::vector<Tensor>{testing::MakeTensor(DataType::kFloat32, {2, 3, 2}, a)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  Tensor want = testing::MakeTensor(DataType::kFloat32, {2, 3, 2},
                                    {100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311});
  EXPECT_EQ(testing::MaxRelError((*out)[0], want), 0.0);
}

TEST(OnnxReader, FoldingSkipsLargeOutputsAndQdq) {
  // ConstantOfShape([5, 1024, 1024]) would be a 20 MiB constant: kept as a node.
  onnx::ModelProto m = BaseModel();
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {5, 1024, 1024});
  auto* shape = g->add_initializer();
  shape->set_name("shape");
  shape->set_data_type(onnx::TensorProto::INT64);
  shape->add_dims(3);
  for (int64_t d : {5, 1024, 1024}) shape->add_int64_data(d);
  AddNode(g, "ConstantOfShape", {"shape"}, {"zeros"});
  AddNode(g, "Add", {"X", "zeros"}, {"Y"});
  // DequantizeLinear of constant weights stays: quantization passes read it.
  auto* q = g->add_initializer();
  q->set_name("q");
  q->set_data_type(onnx::TensorProto::INT8);
  q->add_dims(2);
  q->add_int32_data(3);
  q->add_int32_data(-3);
  FloatInit(g->add_initializer(), "scale", {}, {0.5f});
  AddNode(g, "DequantizeLinear", {"q", "scale"}, {"w"});
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {5, 1024, 1024});
  SetType(g->add_output(), "w", onnx::TensorProto::FLOAT, {2});
  auto r = Read(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(FindNode(**r, OpKind::kConstantOfShape), nullptr);
  EXPECT_NE(FindNode(**r, OpKind::kDequantizeLinear), nullptr);
}

}  // namespace
}  // namespace qforge
