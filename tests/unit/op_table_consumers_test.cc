// The consumers of the op table (src/ops/op_table.def) do what its rows say:
// the 8-bit table kernel takes every op whose table8 fact is yes.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_kind.h"
#include "ops/op_table.h"
#include "runtime/interpreter.h"

namespace qforge {
namespace {

QuantParams PerTensor(float scale, int64_t zero_point) { return QuantParams{{scale}, {zero_point}, -1}; }

// One node `op` from an int8 [1, 2, 3, 4] input to an int8 output; the ops
// with a fixed output (S, Z) get theirs (docs/design/quantized_ir.md).
ir::Graph OneInt8Node(OpKind op) {
  ir::Graph g;
  ir::TensorType x;
  x.dtype = DataType::kInt8;
  x.rank_known = true;
  x.dims = {1, 2, 3, 4};
  x.quant = PerTensor(0.05f, 3);
  ir::TensorType y;
  y.dtype = DataType::kInt8;
  y.quant = op == OpKind::kSigmoid    ? PerTensor(1.0f / 256.0f, -128)
            : op == OpKind::kTanh     ? PerTensor(1.0f / 128.0f, 0)
            : op == OpKind::kIdentity ? x.quant
                                      : PerTensor(0.04f, -7);
  ir::Node n;
  n.name = "node";
  n.op = op;
  n.inputs = {g.AddValue("x", x)};
  n.outputs = {g.AddValue("y", y)};
  g.inputs = n.inputs;
  g.outputs = n.outputs;
  g.AddNode(std::move(n));
  return g;
}

TEST(OpTableConsumers, TheTableKernelTakesEveryTable8Op) {
  int checked = 0;
  for (size_t i = 0; i < static_cast<size_t>(OpKind::kCount); ++i) {
    const OpKind op = static_cast<OpKind>(i);
    if (ops::RowOf(op).table8 != ops::Fact::kYes) continue;
    SCOPED_TRACE(OpName(op));
    auto g = std::make_shared<const ir::Graph>(OneInt8Node(op));
    runtime::InterpreterOptions o;
    o.optimized = true;
    o.only_kernel_family = "qforge.lut8";
    runtime::Interpreter interp(g, o);
    Tensor x(DataType::kInt8, {1, 2, 3, 4});
    x.set_quant(PerTensor(0.05f, 3));
    auto out = interp.Run(std::vector<Tensor>{x});
    ASSERT_TRUE(out.ok()) << out.status().message();
    EXPECT_EQ(interp.KernelNames().at(0), "lut_x8_table256_portable");
    ++checked;
  }
  EXPECT_GE(checked, 9);
}

}  // namespace
}  // namespace qforge
