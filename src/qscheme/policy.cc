#include "qscheme/policy.h"

namespace qforge::quant {

namespace {

using ops::QuantForm;

bool IsFloatConstant(const ir::Graph& g, ir::ValueId v) {
  return v != ir::kNoValue && g.value(v).is_constant() && g.value(v).type.dtype == DataType::kFloat32;
}

bool IsConstant(const ir::Graph& g, ir::ValueId v) { return v != ir::kNoValue && g.value(v).is_constant(); }

Status Why(const std::string& msg) { return Unsupported(msg); }

bool GemmIntegerAttrs(const ir::Node& n) {
  return n.attrs.GetFloat("alpha", 1.0f) == 1.0f && n.attrs.GetFloat("beta", 1.0f) == 1.0f &&
         n.attrs.GetInt("transA", 0) == 0;
}

}  // namespace

bool SameScaleOperands(OpKind op) { return op == OpKind::kMax || op == OpKind::kMin; }

bool CalibratedOutput(QuantForm form) {
  return form == QuantForm::kLinear || form == QuantForm::kBinary || form == QuantForm::kConcat ||
         form == QuantForm::kCalibrated;
}

Status IntegerFormCondition(const ir::Graph& g, const ir::Node& n) {
  switch (n.op) {
    case OpKind::kGemm:
      if (n.attrs.GetFloat("alpha", 1.0f) != 1.0f || n.attrs.GetFloat("beta", 1.0f) != 1.0f) {
        return Why("alpha/beta other than 1 have no integer kernel");
      }
      if (n.attrs.GetInt("transA", 0) != 0) return Why("transA has no integer kernel");
      return Status::Ok();
    case OpKind::kPad:
      if (n.attrs.GetString("mode", "constant") != "constant") return Why("only constant padding is integer");
      if (n.input(2) != ir::kNoValue && !IsConstant(g, n.input(2))) {
        return Why("a non-constant pad value has no integer kernel");
      }
      return Status::Ok();
    case OpKind::kResize:
      if (n.attrs.GetString("mode", "nearest") != "nearest") return Why("only nearest resize is integer");
      return Status::Ok();
    case OpKind::kMax:
    case OpKind::kMin:
      if (n.inputs.size() != 2) {
        return Why(std::to_string(n.inputs.size()) + " operands (the integer kernel takes two)");
      }
      if (IsConstant(g, n.input(0)) && IsConstant(g, n.input(1))) return Why("both operands are constants");
      return Status::Ok();
    case OpKind::kClip:
      for (size_t i = 1; i < n.inputs.size(); ++i) {
        if (n.inputs[i] != ir::kNoValue && !IsConstant(g, n.inputs[i])) {
          return Why("non-constant clip bounds have no integer kernel");
        }
      }
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Result<IntegerOpRule> IntegerRuleFor(const ir::Graph& g, const ir::Node& n) {
  IntegerOpRule r;
  r.form = ops::RowOf(n.op).quant;
  if (r.form == QuantForm::kNone)
    return Why(std::string("no integer kernel for ") + std::string(OpName(n.op)));
  QF_RETURN_IF_ERROR(IntegerFormCondition(g, n));
  r.data_inputs = {0};
  switch (r.form) {
    case QuantForm::kLinear: {
      if (n.op == OpKind::kMatMul && !IsFloatConstant(g, n.input(1))) {
        r.data_inputs = {0, 1};  // activation x activation
        return r;
      }
      if (!IsFloatConstant(g, n.input(1))) return Why("weights are not a float constant");
      if (n.op == OpKind::kMatMul && g.value(n.input(1)).type.rank() < 2) {
        return Why("a 1-D constant right operand has no integer kernel");
      }
      if (n.input(2) != ir::kNoValue && !IsFloatConstant(g, n.input(2))) {
        return Why("bias is not a float constant");
      }
      const WeightSlot w = WeightOf(g, n);
      r.weight_input = w.input;
      r.weight_axis = w.axis;
      r.bias_input = n.input(2) != ir::kNoValue ? 2 : -1;
      return r;
    }
    case QuantForm::kBinary:
      r.data_inputs = {0, 1};
      return r;
    case QuantForm::kSameAsInput:
      if (SameScaleOperands(n.op)) {
        r.data_inputs = {0, 1};
        const bool const0 = IsConstant(g, n.input(0)), const1 = IsConstant(g, n.input(1));
        if (const0 || const1) {
          r.params_input = const0 ? 1 : 0;
          return r;
        }
        // Two activations: both requantized to the output's calibrated (S, Z).
        r.form = QuantForm::kConcat;
      }
      return r;
    case QuantForm::kConcat:  // calibrated from the output's range, inputs requantized to it
      r.data_inputs.clear();
      for (size_t i = 0; i < n.inputs.size(); ++i) r.data_inputs.push_back(i);
      return r;
    default:
      return r;
  }
}

QuantForm QdqFoldForm(const ir::Graph& g, const ir::Node& n) {
  const QuantForm form = ops::RowOf(n.op).quant;
  if (form == QuantForm::kNone || !IntegerFormCondition(g, n).ok()) return QuantForm::kNone;
  // The file's pad value is a float constant; folding does not quantize it.
  if (n.op == OpKind::kPad && n.input(2) != ir::kNoValue) return QuantForm::kNone;
  return form;
}

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

WeightSlot WeightOf(const ir::Graph& g, const ir::Node& n) {
  switch (n.op) {
    case OpKind::kConv:
      return {1, 0};
    case OpKind::kConvTranspose:
      return {1, 1};
    case OpKind::kGemm:
      return {1, n.attrs.GetInt("transB", 0) != 0 ? 0 : 1};
    case OpKind::kMatMul: {
      const ir::ValueId b = n.input(1);
      if (b == ir::kNoValue || g.value(b).type.rank() < 2) return {};
      return {1, g.value(b).type.rank() - 1};
    }
    case OpKind::kGather:
      return {0, -1};  // per tensor: the gathered axis would split per-axis scales
    default:
      return {};
  }
}

std::vector<WeightSlot> WeightOnlySlots(const ir::Graph& g, const ir::Node& n) {
  if (n.op == OpKind::kLSTM || n.op == OpKind::kGRU || n.op == OpKind::kRNN) return {{1, 1}, {2, 1}};
  const WeightSlot slot = WeightOf(g, n);
  if (slot.input < 0) return {};
  return {slot};
}

Result<WeightSlot> HybridRuleFor(const ir::Graph& g, const ir::Node& n) {
  if (n.op == OpKind::kConvTranspose) return Why("no hybrid kernel for ConvTranspose");
  const WeightSlot slot = WeightOf(g, n);
  if (slot.input < 0 || !IsFloatConstant(g, n.input(static_cast<size_t>(slot.input)))) return WeightSlot{};
  if (n.op == OpKind::kGemm && !GemmIntegerAttrs(n)) {
    return Why("no hybrid kernel for Gemm with alpha/beta != 1 or transA");
  }
  if ((n.op == OpKind::kConv || n.op == OpKind::kGemm) && n.input(2) != ir::kNoValue &&
      !IsFloatConstant(g, n.input(2))) {
    return Why("bias is not a float constant");
  }
  if (n.op != OpKind::kGather && g.value(n.inputs[0]).type.dtype != DataType::kFloat32) {
    return Why("input is not float32");
  }
  return slot;
}

std::vector<size_t> Float16Inputs(OpKind op) {
  switch (op) {
    case OpKind::kConv:
    case OpKind::kConvTranspose:
    case OpKind::kGemm:
      return {1, 2};
    case OpKind::kMatMul:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kPRelu:
      return {0, 1};
    case OpKind::kGather:
      return {0};
    case OpKind::kLSTM:
    case OpKind::kGRU:
    case OpKind::kRNN:
      return {1, 2, 3};  // W, R, B
    default:
      return {};
  }
}

std::set<std::string> ResolveExclusions(const std::vector<std::string>& names, const ir::Graph& original,
                                        const ir::Graph& prepared, std::vector<std::string>* notes) {
  std::set<std::string> out;
  for (const std::string& name : names) {
    std::string mapped = name;
    for (const ir::Node& n : original.nodes) {
      if (n.name != name || n.outputs.empty()) continue;
      bool kept = false;
      for (const ir::Node& p : prepared.nodes) kept = kept || p.name == name;
      if (kept) break;
      const std::string produced = original.value(n.outputs[0]).name;
      for (const ir::Node& p : prepared.nodes) {
        if (!p.outputs.empty() && p.outputs[0] != ir::kNoValue &&
            prepared.value(p.outputs[0]).name == produced) {
          mapped = p.name;
        }
      }
      if (mapped != name && notes != nullptr) {
        notes->push_back("--exclude " + name + ": it was fused into '" + mapped + "'; excluding that node");
      }
    }
    out.insert(mapped);
  }
  return out;
}

bool KeepsObservedMinMax(const ir::Graph& g, const ir::Node& n) {
  return ops::FactsOf(g, n).keep_minmax == ops::Fact::kYes;
}

}  // namespace qforge::quant
