// The op table (src/ops/op_table.def) has one consistent row per op kind.
#include "ops/op_table.h"

#include <gtest/gtest.h>

#include "ir/op_kind.h"

namespace qforge::ops {
namespace {

TEST(OpTable, EveryOpKindHasItsRow) {
  for (size_t i = 0; i < static_cast<size_t>(OpKind::kCount); ++i) {
    const OpKind kind = static_cast<OpKind>(i);
    EXPECT_EQ(RowOf(kind).kind, kind) << OpName(kind);
    const OpFacts& r = RowOf(kind);
    const bool depends =
        r.table8 == Fact::kDepends || r.shift_exact == Fact::kDepends || r.keep_minmax == Fact::kDepends;
    EXPECT_EQ(depends, r.refine != nullptr) << OpName(kind) << ": refine exactly when a fact is Depends";
  }
}

// Facts that contradict the op's arity in ops.def are typos in the table.
TEST(OpTable, RowsAgreeWithArity) {
  for (size_t i = 0; i < static_cast<size_t>(OpKind::kCount); ++i) {
    const OpKind kind = static_cast<OpKind>(i);
    const OpFacts& row = RowOf(kind);
    const OpInfo& info = GetOpInfo(kind);
    if (row.quant == QuantForm::kLinear) EXPECT_GE(info.max_inputs, 2) << OpName(kind);
    if (row.quant == QuantForm::kBinary) EXPECT_GE(info.max_inputs, 2) << OpName(kind);
    if (row.layout == Layout::kBroadcast) EXPECT_GE(info.max_inputs, 2) << OpName(kind);
    // A table kernel maps one 8-bit code to one code.
    if (row.table8 != Fact::kNo) EXPECT_EQ(info.max_outputs, 1) << OpName(kind);
    if (row.table8 != Fact::kNo) EXPECT_EQ(row.layout, Layout::kElementwise) << OpName(kind);
    // Only ops with an integer form are calibrated or kept at min/max.
    if (row.keep_minmax != Fact::kNo) EXPECT_NE(row.quant, QuantForm::kNone) << OpName(kind);
  }
}

ir::Graph OneNode(OpKind op, const std::string& mode, bool constant_zero_point) {
  ir::Graph g;
  ir::TensorType f32;
  f32.dtype = DataType::kFloat32;
  f32.dims = {1, 4};
  f32.rank_known = true;
  const ir::ValueId x = g.AddValue("x", f32);
  const ir::ValueId s = g.AddConstant("s", Tensor(DataType::kFloat32, {}));
  ir::ValueId zp = ir::kNoValue;
  if (constant_zero_point) {
    zp = g.AddConstant("zp", Tensor(DataType::kInt8, {}));
  } else {
    ir::TensorType i8 = f32;
    i8.dtype = DataType::kInt8;
    i8.dims = {};
    zp = g.AddValue("zp", i8);
  }
  const ir::ValueId y = g.AddValue("y", f32);
  ir::Node n;
  n.op = op;
  n.name = "n";
  n.inputs = op == OpKind::kResize ? std::vector<ir::ValueId>{x} : std::vector<ir::ValueId>{x, s, zp};
  n.outputs = {y};
  if (!mode.empty()) n.attrs.Set("mode", mode);
  g.AddNode(std::move(n));
  return g;
}

TEST(OpTable, FactsOfDecidesAttributeDependentFacts) {
  {
    const ir::Graph g = OneNode(OpKind::kResize, "nearest", true);
    EXPECT_EQ(FactsOf(g, g.nodes[0]).shift_exact, Fact::kYes);
  }
  {
    const ir::Graph g = OneNode(OpKind::kResize, "linear", true);
    EXPECT_EQ(FactsOf(g, g.nodes[0]).shift_exact, Fact::kNo);
  }
  for (OpKind op : {OpKind::kQuantizeLinear, OpKind::kDequantizeLinear}) {
    const ir::Graph constant = OneNode(op, "", true);
    EXPECT_EQ(FactsOf(constant, constant.nodes[0]).shift_exact, Fact::kYes) << OpName(op);
    const ir::Graph dynamic = OneNode(op, "", false);
    EXPECT_EQ(FactsOf(dynamic, dynamic.nodes[0]).shift_exact, Fact::kNo) << OpName(op);
  }
}

}  // namespace
}  // namespace qforge::ops
