// The quantization policy (src/qscheme/policy.h): the quantizer and QDQ
// folding read the same forms and attribute conditions, and differ only
// where policy.h says they do.
#include <gtest/gtest.h>

#include <algorithm>

#include "qscheme/policy.h"

namespace qforge::quant {
namespace {

using ops::QuantForm;

// One node `op` reading float activations, with float constants at `constants`.
struct OneNode {
  ir::Graph g;
  ir::Node n;
  OneNode(OpKind op, const ir::Attributes& attrs, size_t inputs, const std::vector<size_t>& constants = {}) {
    n.name = "op";
    n.op = op;
    n.attrs = attrs;
    ir::TensorType f32;
    f32.dtype = DataType::kFloat32;
    f32.rank_known = true;
    f32.dims = {2, 2};
    for (size_t i = 0; i < inputs; ++i) {
      const bool constant = std::find(constants.begin(), constants.end(), i) != constants.end();
      n.inputs.push_back(constant ? g.AddConstant("c" + std::to_string(i), Tensor(DataType::kFloat32, {2, 2}))
                                  : g.AddValue("in" + std::to_string(i), f32));
    }
    n.outputs.push_back(g.AddValue("out", f32));
  }
};

ir::Attributes Attr(const std::string& name, const std::string& value) {
  ir::Attributes a;
  a.Set(name, value);
  return a;
}

TEST(QuantPolicy, TheQuantizerAndFoldingShareTheOpTableFormAndConditions) {
  // Forms from the op table.
  OneNode conv(OpKind::kConv, {}, 2, {1});
  ASSERT_TRUE(IntegerRuleFor(conv.g, conv.n).ok());
  EXPECT_EQ(IntegerRuleFor(conv.g, conv.n)->form, QuantForm::kLinear);
  EXPECT_EQ(QdqFoldForm(conv.g, conv.n), QuantForm::kLinear);
  OneNode identity(OpKind::kIdentity, {}, 1);
  EXPECT_EQ(IntegerRuleFor(identity.g, identity.n)->form, QuantForm::kSameAsInput);
  EXPECT_EQ(QdqFoldForm(identity.g, identity.n), QuantForm::kSameAsInput);
  // ConvTranspose has no integer kernel: neither quantizes nor folds it.
  OneNode deconv(OpKind::kConvTranspose, {}, 2, {1});
  EXPECT_EQ(IntegerRuleFor(deconv.g, deconv.n).status().message(), "no integer kernel for ConvTranspose");
  EXPECT_EQ(QdqFoldForm(deconv.g, deconv.n), QuantForm::kNone);
  // Attribute conditions rule out both.
  ir::Attributes alpha;
  alpha.Set("alpha", 2.0f);
  OneNode gemm(OpKind::kGemm, alpha, 2, {1});
  EXPECT_FALSE(IntegerRuleFor(gemm.g, gemm.n).ok());
  EXPECT_EQ(QdqFoldForm(gemm.g, gemm.n), QuantForm::kNone);
  OneNode linear(OpKind::kResize, Attr("mode", "linear"), 1);
  EXPECT_EQ(IntegerRuleFor(linear.g, linear.n).status().message(), "only nearest resize is integer");
  EXPECT_EQ(QdqFoldForm(linear.g, linear.n), QuantForm::kNone);
  OneNode reflect(OpKind::kPad, Attr("mode", "reflect"), 2, {1});
  EXPECT_FALSE(IntegerRuleFor(reflect.g, reflect.n).ok());
  EXPECT_EQ(QdqFoldForm(reflect.g, reflect.n), QuantForm::kNone);
  OneNode clip(OpKind::kClip, {}, 3, {1});  // max bound computed at run time
  EXPECT_EQ(IntegerRuleFor(clip.g, clip.n).status().message(),
            "non-constant clip bounds have no integer kernel");
  EXPECT_EQ(QdqFoldForm(clip.g, clip.n), QuantForm::kNone);
}

TEST(QuantPolicy, FoldingLeavesAFloatPadValueAlone) {
  OneNode pad(OpKind::kPad, {}, 3, {1, 2});
  EXPECT_TRUE(IntegerRuleFor(pad.g, pad.n).ok());  // the quantizer quantizes the pad value
  EXPECT_EQ(QdqFoldForm(pad.g, pad.n), QuantForm::kNone);
  OneNode zero_pad(OpKind::kPad, {}, 2, {1});
  EXPECT_EQ(QdqFoldForm(zero_pad.g, zero_pad.n), QuantForm::kSameAsInput);
}

TEST(QuantPolicy, GatesAreTheOpTablesKeepMinMax) {
  OneNode sigmoid(OpKind::kSigmoid, {}, 1);
  OneNode relu(OpKind::kRelu, {}, 1);
  EXPECT_TRUE(KeepsObservedMinMax(sigmoid.g, sigmoid.n));
  EXPECT_FALSE(KeepsObservedMinMax(relu.g, relu.n));
}

TEST(QuantPolicy, FixedOutputParams) {
  EXPECT_EQ(FixedOutputParams(OpKind::kTanh, DataType::kInt8).zero_point, std::vector<int64_t>{0});
  EXPECT_EQ(FixedOutputParams(OpKind::kTanh, DataType::kUInt8).zero_point, std::vector<int64_t>{128});
  EXPECT_EQ(FixedOutputParams(OpKind::kSigmoid, DataType::kInt8).zero_point, std::vector<int64_t>{-128});
  EXPECT_EQ(FixedOutputParams(OpKind::kSoftmax, DataType::kUInt8).scale, std::vector<float>{1.0f / 256});
}

TEST(QuantPolicy, ExclusionsOfFusedNodesNameTheirProducer) {
  ir::Graph original;
  ir::Graph prepared;
  for (ir::Graph* g : {&original, &prepared}) {
    ir::Node conv;
    conv.name = "conv";
    conv.op = OpKind::kConv;
    conv.outputs = {g->AddValue(g == &original ? "conv_out" : "relu_out")};
    g->AddNode(std::move(conv));
  }
  ir::Node relu;
  relu.name = "relu";
  relu.op = OpKind::kRelu;
  relu.inputs = {0};
  relu.outputs = {original.AddValue("relu_out")};
  original.AddNode(std::move(relu));
  std::vector<std::string> notes;
  EXPECT_EQ(ResolveExclusions({"relu", "conv", "other"}, original, prepared, &notes),
            (std::set<std::string>{"conv", "other"}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("fused into 'conv'"), std::string::npos);
}

}  // namespace
}  // namespace qforge::quant
