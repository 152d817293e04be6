#include "quant/op_rules.h"

namespace qforge::quant {

namespace {

bool IsFloatConstant(const ir::Graph& g, ir::ValueId v) {
  return v != ir::kNoValue && g.value(v).is_constant() && g.value(v).type.dtype == DataType::kFloat32;
}

Status Why(const std::string& msg) { return Unsupported(msg); }

}  // namespace

QuantParams FixedOutputParams(OpKind op, DataType dtype) {
  const int64_t offset = dtype == DataType::kUInt8 ? 128 : 0;
  QuantParams p;
  if (op == OpKind::kTanh) {
    p.scale = {1.0f / 128.0f};
    p.zero_point = {0 + offset};
  } else {  // Softmax, Sigmoid: [0, 1)
    p.scale = {1.0f / 256.0f};
    p.zero_point = {-128 + offset};
  }
  return p;
}

Result<IntegerOpRule> IntegerRuleFor(const ir::Graph& g, const ir::Node& n) {
  IntegerOpRule r;
  r.data_inputs = {0};
  switch (n.op) {
    case OpKind::kConv:
      if (!IsFloatConstant(g, n.input(1))) return Why("weights are not a float constant");
      if (n.input(2) != ir::kNoValue && !IsFloatConstant(g, n.input(2))) {
        return Why("bias is not a float constant");
      }
      r.weight_input = 1;
      r.weight_axis = 0;
      r.bias_input = n.input(2) != ir::kNoValue ? 2 : -1;
      return r;
    case OpKind::kGemm: {
      if (n.attrs.GetFloat("alpha", 1.0f) != 1.0f || n.attrs.GetFloat("beta", 1.0f) != 1.0f) {
        return Why("alpha/beta other than 1 have no integer kernel");
      }
      if (n.attrs.GetInt("transA", 0) != 0) return Why("transA has no integer kernel");
      if (!IsFloatConstant(g, n.input(1))) return Why("weights are not a float constant");
      if (n.input(2) != ir::kNoValue && !IsFloatConstant(g, n.input(2))) {
        return Why("bias is not a float constant");
      }
      r.weight_input = 1;
      r.weight_axis = n.attrs.GetInt("transB", 0) != 0 ? 0 : 1;
      r.bias_input = n.input(2) != ir::kNoValue ? 2 : -1;
      return r;
    }
    case OpKind::kMatMul:
      if (IsFloatConstant(g, n.input(1))) {
        const ir::TensorType& t = g.value(n.input(1)).type;
        if (t.rank() < 2) return Why("a 1-D constant right operand has no integer kernel");
        r.weight_input = 1;
        r.weight_axis = t.rank() - 1;
      } else {
        r.data_inputs = {0, 1};
      }
      return r;
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
      r.data_inputs = {0, 1};
      return r;
    case OpKind::kConcat:
      r.data_inputs.clear();
      for (size_t i = 0; i < n.inputs.size(); ++i) r.data_inputs.push_back(i);
      return r;  // calibrated from the output's range, inputs requantized to it
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    case OpKind::kTranspose:
    case OpKind::kSlice:
    case OpKind::kSplit:
    case OpKind::kGather:
    case OpKind::kIdentity:
    case OpKind::kDropout:
      r.output = OutputParams::kSameAsInput;
      return r;
    case OpKind::kPad:
      if (n.attrs.GetString("mode", "constant") != "constant") return Why("only constant padding is integer");
      if (n.input(2) != ir::kNoValue && !g.value(n.input(2)).is_constant()) {
        return Why("a non-constant pad value has no integer kernel");
      }
      r.output = OutputParams::kSameAsInput;
      return r;
    case OpKind::kResize:
      if (n.attrs.GetString("mode", "nearest") != "nearest") return Why("only nearest resize is integer");
      r.output = OutputParams::kSameAsInput;
      return r;
    case OpKind::kGlobalAveragePool:
    case OpKind::kReduceMean:
      return r;
    case OpKind::kSoftmax:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
      r.output = OutputParams::kFixed;
      return r;
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kHardSigmoid:
    case OpKind::kHardSwish:
      return r;
    case OpKind::kClip:
      for (size_t i = 1; i < n.inputs.size(); ++i) {
        if (n.inputs[i] != ir::kNoValue && !g.value(n.inputs[i]).is_constant()) {
          return Why("non-constant clip bounds have no integer kernel");
        }
      }
      return r;
    default:
      return Why(std::string("no integer kernel for ") + std::string(OpName(n.op)));
  }
}

}  // namespace qforge::quant
