// The named pipelines (passes/pipelines.h): their contracts as a whole. The
// passes themselves have their own tests; the readers, writers and runtime
// tests run the pipelines on every model, and the golden hashes of written
// files pin their order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ops/infer.h"
#include "passes/infer_types.h"
#include "passes/pipelines.h"
#include "passes_test_util.h"

namespace qforge {
namespace {

using passes_test::CountOps;

struct Boundary {
  std::vector<std::string> names;
  std::vector<std::string> types;
};

Boundary BoundaryOf(const ir::Graph& g) {
  Boundary b;
  for (const auto* list : {&g.inputs, &g.outputs}) {
    for (ir::ValueId id : *list) {
      b.names.push_back(g.value(id).name);
      b.types.push_back(g.value(id).type.ToString());
    }
  }
  return b;
}

std::unique_ptr<ir::Graph> BundledModel(const std::string& name) {
  return passes_test::LoadGraph(testing::SourcePath("models/" + name + ".onnx"));
}

TEST(PipelinesTest, EveryPipelineKeepsGraphInputsAndOutputs) {
  for (const char* name : {"cnn", "mobilenet", "resnet"}) {
    SCOPED_TRACE(name);
    const std::unique_ptr<ir::Graph> imported = BundledModel(name);
    ASSERT_NE(imported, nullptr);
    const Boundary want = BoundaryOf(*imported);
    ir::Graph prepared = *imported;
    ASSERT_TRUE(passes::PrepareForQuantization(&prepared).ok());
    ir::Graph tflite = *imported;
    ASSERT_TRUE(passes::BeforeTfliteWrite(&tflite).ok());
    ir::Graph runtime = *imported;
    ASSERT_TRUE(passes::BeforeRuntimePlan(&runtime).ok());
    for (const ir::Graph* g : {&prepared, &tflite, &runtime}) {
      const Boundary got = BoundaryOf(*g);
      EXPECT_EQ(got.names, want.names);
      EXPECT_EQ(got.types, want.types);
    }
  }
}

TEST(PipelinesTest, WritersRefuseWhatOnlyTheRuntimePipelineProduces) {
  const std::unique_ptr<ir::Graph> imported = BundledModel("mobilenet");
  ASSERT_NE(imported, nullptr);
  EXPECT_TRUE(passes::BeforeOnnxWrite(*imported).ok());
  ir::Graph runtime = *imported;
  ASSERT_TRUE(passes::BeforeRuntimePlan(&runtime).ok());
  const Status onnx = passes::BeforeOnnxWrite(runtime);
  EXPECT_FALSE(onnx.ok());
  EXPECT_NE(onnx.message().find("qf_layout"), std::string::npos) << onnx.message();
  const Status tflite = passes::BeforeTfliteWrite(&runtime);
  EXPECT_FALSE(tflite.ok());
  EXPECT_NE(tflite.message().find("qf_layout"), std::string::npos) << tflite.message();
}

// x -> Reshape(x, Shape(x)) when `with_shape`, else x + (c + c): the TFLite
// writer's pipeline folds constants only in graphs that have a Shape node.
ir::Graph ShapeOrConstantGraph(bool with_shape) {
  ir::Graph g;
  const ir::ValueId x = g.AddValue("x", ops::MakeType(DataType::kFloat32, {1, 2, 3, 4}));
  g.inputs = {x};
  const ir::ValueId y = g.AddValue("y");
  if (with_shape) {
    const ir::ValueId s = g.AddValue("s");
    g.AddNode(ir::Node{"shape", OpKind::kShape, {x}, {s}, {}, false});
    g.AddNode(ir::Node{"reshape", OpKind::kReshape, {x, s}, {y}, {}, false});
  } else {
    Tensor one(DataType::kFloat32, {1});
    one.data<float>()[0] = 1.0f;
    const ir::ValueId c = g.AddConstant("c", one);
    const ir::ValueId sum = g.AddValue("sum");
    g.AddNode(ir::Node{"const_add", OpKind::kAdd, {c, c}, {sum}, {}, false});
    g.AddNode(ir::Node{"add", OpKind::kAdd, {x, sum}, {y}, {}, false});
  }
  g.outputs = {y};
  EXPECT_TRUE(passes::InferTypes(&g).ok());
  return g;
}

TEST(PipelinesTest, TfliteWriteFoldsConstantsOnlyWithAShapeNode) {
  ir::Graph shaped = ShapeOrConstantGraph(true);
  ASSERT_TRUE(passes::BeforeTfliteWrite(&shaped).ok());
  EXPECT_EQ(CountOps(shaped, OpKind::kShape), 0);
  ASSERT_EQ(CountOps(shaped, OpKind::kReshape), 1);
  EXPECT_TRUE(shaped.value(shaped.nodes[0].inputs[1]).is_constant());

  ir::Graph unshaped = ShapeOrConstantGraph(false);
  ASSERT_TRUE(passes::BeforeTfliteWrite(&unshaped).ok());
  EXPECT_EQ(CountOps(unshaped, OpKind::kAdd), 2);
}

}  // namespace
}  // namespace qforge
