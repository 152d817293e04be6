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
    bool depends = false;
    for (Fact f :
         {r.table8, r.shift_exact, r.keep_minmax, r.fused_activation, r.weighted, r.explicit_qparams}) {
      depends = depends || f == Fact::kDepends;
    }
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

// The output-stage columns agree with each other and with the quant forms.
TEST(OpTable, OutputStageFactsAgree) {
  for (size_t i = 0; i < static_cast<size_t>(OpKind::kCount); ++i) {
    const OpKind kind = static_cast<OpKind>(i);
    const OpFacts& row = RowOf(kind);
    const OpInfo& info = GetOpInfo(kind);
    const bool accumulates = row.quant == QuantForm::kLinear || row.quant == QuantForm::kBinary;
    // An integer form that accumulates requantizes in an output stage, which
    // clamps (QDQ folding fuses a Relu/Clip into exactly these); only an
    // op with such a stage, float or integer, carries a fused activation.
    if (accumulates) EXPECT_EQ(row.fused_activation, Fact::kYes) << OpName(kind);
    if (row.fused_activation != Fact::kNo) {
      EXPECT_TRUE(accumulates || row.weighted == Fact::kYes) << OpName(kind);
      EXPECT_EQ(info.max_outputs, 1) << OpName(kind);
    }
    // The Linear form is a weighted op whose weights are quantized; a
    // weighted op has no other integer form.
    if (row.quant == QuantForm::kLinear) EXPECT_EQ(row.weighted, Fact::kYes) << OpName(kind);
    if (row.weighted != Fact::kNo) {
      EXPECT_TRUE(row.quant == QuantForm::kLinear || row.quant == QuantForm::kNone) << OpName(kind);
      EXPECT_GE(info.max_inputs, 2) << OpName(kind);
    }
    // Ops with explicit quantization parameters are the quantization, not
    // quantized by it, and have no fused output stage of the IR's.
    if (row.explicit_qparams != Fact::kNo) {
      EXPECT_EQ(row.quant, QuantForm::kNone) << OpName(kind);
      EXPECT_EQ(row.fused_activation, Fact::kNo) << OpName(kind);
      EXPECT_EQ(row.weighted, Fact::kNo) << OpName(kind);
    }
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
