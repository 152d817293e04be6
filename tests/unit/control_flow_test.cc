// ONNX If through qforge (docs/control_flow.md): a data-dependent If runs
// its chosen branch, nested Ifs included, equal to ONNX Runtime in both
// runtimes, and is written back to ONNX with its branches; a constant
// condition is inlined at load; the TFLite writer and the quantizer refuse
// a data-dependent If with an Unsupported status.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "io/tflite/write/tflite_writer.h"
#include "quant/quantizer.h"
#include "runtime/interpreter.h"
#include "unit/onnx_qdq_test_util.h"

namespace qforge::testing {
namespace {

using onnx_qdq_test::OnnxCheck;
using onnx_qdq_test::OrtRun;
using onnx_qdq_test::RandomFloats;
using onnx_qdq_test::RunOrt;
using onnx_qdq_test::TempDir;

std::string DataPath(const std::string& name) {
  return std::string(QFORGE_SOURCE_DIR) + "/tests/data/control_flow/" + name;
}

int CountIfs(const ir::Graph& g) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += !node.removed && node.op == OpKind::kIf ? 1 : 0;
  return n;
}

// Runs `g` in the reference and the optimized runtime and checks both
// against ONNX Runtime's outputs for `x` (float, exact: the branches hold
// Mul, Relu, Neg and Sub, which round the same everywhere).
void ExpectMatchesOrt(const std::string& model, const ir::Graph& g, const Tensor& x) {
  TempDir dir;
  OrtRun ort = RunOrt(model, {x}, g.outputs.size(), dir);
  ASSERT_TRUE(ort.ok);
  for (bool optimized : {false, true}) {
    SCOPED_TRACE(optimized ? "optimized" : "reference");
    runtime::InterpreterOptions o;
    o.optimized = optimized;
    runtime::Interpreter interp(std::make_shared<const ir::Graph>(g), o);
    // Twice: the second run reuses the branch's interpreter.
    for (int run = 0; run < 2; ++run) {
      auto out = interp.Run(std::vector<Tensor>{x});
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      ASSERT_EQ(out->size(), ort.outputs.size());
      for (size_t i = 0; i < out->size(); ++i) {
        const Tensor& got = (*out)[i];
        const Tensor& want = ort.outputs[i];
        ASSERT_EQ(got.dims(), want.dims()) << "output " << i;
        ASSERT_EQ(got.dtype(), want.dtype()) << "output " << i;
        EXPECT_EQ(0, std::memcmp(got.raw_data(), want.raw_data(), got.byte_size())) << "output " << i;
      }
    }
  }
}

TEST(ControlFlow, DataDependentIfTakesEitherBranchLikeOrt) {
  auto g = io::ReadOnnx(DataPath("if_data.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(CountIfs(**g), 1);
  // sum(x) >= 0 takes then_branch (its nested If on Size(x) == 6 takes
  // Relu); a negative sum takes else_branch.
  Tensor positive = RandomFloats({2, 3}, -1.0f, 3.0f, 7);
  Tensor negative = RandomFloats({2, 3}, -3.0f, 1.0f, 8);
  ExpectMatchesOrt(DataPath("if_data.onnx"), **g, positive);
  ExpectMatchesOrt(DataPath("if_data.onnx"), **g, negative);
  // Written back with its branches: valid ONNX, and ONNX Runtime computes
  // from it what qforge computes.
  TempDir dir;
  const std::string written = dir.file("if_data_qforge.onnx");
  ASSERT_TRUE(io::WriteOnnx(**g, written).ok());
  EXPECT_EQ(OnnxCheck(written), 0);
  ExpectMatchesOrt(written, **g, positive);
  ExpectMatchesOrt(written, **g, negative);
  auto reread = io::ReadOnnx(written);
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  EXPECT_EQ(CountIfs(**reread), 1);
}

TEST(ControlFlow, ConstantConditionIsInlinedAtLoad) {
  auto g = io::ReadOnnx(DataPath("if_shape.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(CountIfs(**g), 0);
  EXPECT_EQ((*g)->value((*g)->outputs[0]).name, "y");  // the If's output keeps its name
  ExpectMatchesOrt(DataPath("if_shape.onnx"), **g, RandomFloats({1, 4}, -2.0f, 2.0f, 9));
  // With the If gone, TFLite can hold the graph.
  EXPECT_TRUE(io::SerializeTflite(**g).ok());
}

TEST(ControlFlow, BranchesAreVerified) {
  auto g = io::ReadOnnx(DataPath("if_data.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ir::Graph broken = **g;
  for (ir::Node& n : broken.nodes) {
    if (n.op != OpKind::kIf) continue;
    // then_branch with a second output: no longer the If's one.
    ir::Graph then = *n.attrs.GetGraph("then_branch");
    then.outputs.push_back(then.outputs[0]);
    n.attrs.Set("then_branch", std::make_shared<const ir::Graph>(std::move(then)));
  }
  const Status s = ir::VerifyGraph(broken);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(
      s.message().find("then_branch has 1 inputs and 2 outputs; the If has 1 captured values and 1 outputs"),
      std::string::npos)
      << s.message();
}

TEST(ControlFlow, DataDependentIfIsRefusedByTfliteAndQuantizer) {
  auto g = io::ReadOnnx(DataPath("if_data.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto tfl = io::SerializeTflite(**g);
  ASSERT_FALSE(tfl.ok());
  EXPECT_EQ(tfl.status().code(), StatusCode::kUnsupported);
  // The comparison before it is written (GREATER_EQUAL); the If is what stops the writer.
  EXPECT_NE(tfl.status().message().find("node 'if' (If)"), std::string::npos) << tfl.status().message();
  quant::QuantizeOptions o;
  o.mode = quant::QuantMode::kWeightOnly;
  auto q = quant::QuantizeGraph(**g, o, nullptr);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(q.status().message().find("data-dependent If"), std::string::npos) << q.status().message();
}

}  // namespace
}  // namespace qforge::testing
