// QDQ import folding (docs/design/quantized_ir.md) on files qforge did not
// write: a PyTorch QAT export folds to an integer graph and runs, pairs it
// cannot fold stay and compute the same, and the ONNX backend cases of the
// quantization ops still load and run.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "io/data/dataset.h"
#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "onnx_qdq_test_util.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge {
namespace {

using namespace onnx_qdq_test;  // NOLINT: test helpers

// --- PyTorch QAT export (tools/export_torch_qdq.py): folds and runs --------

TEST(OnnxQdqImport, TorchQatExportFoldsAndRuns) {
  auto g = io::ReadOnnx(testing::SourcePath("tests/models/data/torch_qdq_small.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Graph& graph = *g.value();
  // Every Conv / Gemm became integer: int8/uint8 input, int8 constant weight.
  int linear = 0;
  for (const ir::Node& n : graph.nodes) {
    if (n.op != OpKind::kConv && n.op != OpKind::kGemm) continue;
    ++linear;
    const DataType x = graph.value(n.inputs[0]).type.dtype;
    EXPECT_TRUE(x == DataType::kInt8 || x == DataType::kUInt8) << graph.Describe(n);
    const ir::Value& w = graph.value(n.inputs[1]);
    ASSERT_TRUE(w.is_constant()) << graph.Describe(n);
    EXPECT_EQ(w.constant->dtype(), DataType::kInt8) << graph.Describe(n);
    EXPECT_TRUE(w.constant->quant().per_axis()) << graph.Describe(n);
    EXPECT_EQ(graph.value(n.inputs[2]).type.dtype, DataType::kInt32) << graph.Describe(n);
  }
  EXPECT_EQ(linear, 5) << ir::PrintGraph(graph);
  for (const ir::Node& n : graph.nodes) {
    EXPECT_NE(n.op, OpKind::kRelu) << "a Relu was not fused: " << graph.Describe(n);
  }
  // The output DequantizeLinear stays (it writes the float graph output).
  const ir::Node& last = graph.nodes.back();
  ASSERT_EQ(last.op, OpKind::kDequantizeLinear);
  const QuantParams& out_q = graph.value(last.inputs[0]).type.quant;
  ASSERT_FALSE(out_q.empty());
  auto in = io::ReadNpy(testing::SourcePath("tests/models/data/torch_qdq_small_input.npy"));
  auto want = io::ReadNpy(testing::SourcePath("tests/models/data/torch_qdq_small_ort_output.npy"));
  ASSERT_TRUE(in.ok() && want.ok());
  std::vector<Tensor> got = RunQforge(graph, {in.value()});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].dims(), want.value().dims());
  const float step = out_q.scale[0];
  for (int64_t i = 0; i < got[0].num_elements(); ++i) {
    EXPECT_LE(std::abs(got[0].data<float>()[i] - want.value().data<float>()[i]), kMaxSteps * step * 1.0001f)
        << "element " << i;
  }
}

// --- Folding leaves what it cannot fold, and the graph computes the same ---

// x int8 -> DQ(0.1, 0) -> Q(0.2, 3) -> DQ -> Abs -> out_a: a Requantize.
// x      -> DQ(0.1, 0) -> Q(0.1, 0) -> DQ -> Abs -> out_b: the pair cancels.
// Abs has no integer form: its DQ stays, it stays float.
TEST(OnnxQdqImport, DqQPairsAndFloatFallback) {
  ir::Graph g;
  g.name = "pairs";
  const std::vector<int64_t> dims = {2, 5};
  const ir::ValueId x = g.AddValue("x", QType(DataType::kInt8, dims, PerTensor(0.1f, 0)));
  auto scalar = [&](const std::string& name, DataType t, double v) {
    return g.AddConstant(name, testing::MakeTensor(t, {}, {v}));
  };
  const ir::ValueId s1 = scalar("s1", DataType::kFloat32, 0.1), z1 = scalar("z1", DataType::kInt8, 0);
  const ir::ValueId s2 = scalar("s2", DataType::kFloat32, 0.2), z2 = scalar("z2", DataType::kInt8, 3);
  int k = 0;
  auto v = [&](DataType t) { return g.AddValue("v" + std::to_string(k++), QType(t, dims)); };
  const ir::ValueId xa = v(DataType::kFloat32), qa = v(DataType::kInt8), da = v(DataType::kFloat32);
  const ir::ValueId xb = v(DataType::kFloat32), qb = v(DataType::kInt8), db = v(DataType::kFloat32);
  const ir::ValueId out_a = g.AddValue("out_a", QType(DataType::kFloat32, dims));
  const ir::ValueId out_b = g.AddValue("out_b", QType(DataType::kFloat32, dims));
  AddOp(&g, OpKind::kDequantizeLinear, "dq_a", {x, s1, z1}, {xa});
  AddOp(&g, OpKind::kQuantizeLinear, "q_a", {xa, s2, z2}, {qa});
  AddOp(&g, OpKind::kDequantizeLinear, "dq_a2", {qa, s2, z2}, {da});
  AddOp(&g, OpKind::kAbs, "abs_a", {da}, {out_a});
  AddOp(&g, OpKind::kDequantizeLinear, "dq_b", {x, s1, z1}, {xb});
  AddOp(&g, OpKind::kQuantizeLinear, "q_b", {xb, s1, z1}, {qb});
  AddOp(&g, OpKind::kDequantizeLinear, "dq_b2", {qb, s1, z1}, {db});
  AddOp(&g, OpKind::kAbs, "abs_b", {db}, {out_b});
  g.inputs = {x};
  g.outputs = {out_a, out_b};
  TempDir dir;
  const std::string path = dir.file("pairs.onnx");
  ASSERT_TRUE(io::WriteOnnx(g, path).ok());
  auto back = io::ReadOnnx(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const ir::Graph& b = *back.value();
  std::multiset<OpKind> ops;
  for (const ir::Node& n : b.nodes) ops.insert(n.op);
  EXPECT_EQ(ops.count(OpKind::kRequantize), 1u) << ir::PrintGraph(b);
  EXPECT_EQ(ops.count(OpKind::kQuantizeLinear), 0u) << ir::PrintGraph(b);
  EXPECT_EQ(ops.count(OpKind::kDequantizeLinear), 2u) << ir::PrintGraph(b);
  EXPECT_EQ(ops.count(OpKind::kAbs), 2u) << ir::PrintGraph(b);
  const Tensor in = RandomInts(DataType::kInt8, dims, -128, 127, 17);
  std::vector<Tensor> want = RunQforge(g, {in});
  std::vector<Tensor> got = RunQforge(b, {in});
  ASSERT_EQ(want.size(), 2u);
  ASSERT_EQ(got.size(), 2u);
  // Requantize is fixed point, DQ -> Q float: at most one step of 0.2 apart.
  for (int64_t i = 0; i < want[0].num_elements(); ++i)
    EXPECT_LE(std::abs(got[0].data<float>()[i] - want[0].data<float>()[i]), kMaxSteps * 0.2f * 1.0001f);
  EXPECT_EQ(testing::MaxRelError(got[1], want[1]), 0.0);
}

// ONNX backend cases of the quantization ops still load and run (the
// folding pass sees their Q/DQ nodes but must leave them alone).
class QdqBackendCase : public ::testing::TestWithParam<const char*> {};

TEST_P(QdqBackendCase, SameOutputs) {
  const std::string dir = std::string("/usr/share/libonnx-testdata/data/node/") + GetParam();
  auto g = io::ReadOnnx(dir + "/model.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < g.value()->inputs.size(); ++i) {
    auto t = io::ReadOnnxTensorFile(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    inputs.push_back(std::move(t).value());
  }
  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(g).value()));
  auto out = interp.Run(inputs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (size_t i = 0; i < out.value().size(); ++i) {
    auto want = io::ReadOnnxTensorFile(dir + "/test_data_set_0/output_" + std::to_string(i) + ".pb");
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(testing::MaxRelError(out.value()[i], want.value()), 0.0) << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Node, QdqBackendCase,
                         ::testing::Values("test_dequantizelinear", "test_dequantizelinear_axis",
                                           "test_quantizelinear", "test_quantizelinear_axis",
                                           "test_dynamicquantizelinear", "test_matmulinteger"));

}  // namespace
}  // namespace qforge
