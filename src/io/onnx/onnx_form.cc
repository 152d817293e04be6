#include "io/onnx/onnx_form.h"

#include <initializer_list>
#include <variant>
#include <vector>

namespace qforge::io {

namespace {

enum class AttrType : uint8_t { kInt, kFloat, kString, kInts, kFloats };

struct AttrRule {
  const char* name;
  AttrType type;
};

// One op's form from opset `since` on: the minimum number of inputs (the
// first `min_inputs` must be present) and the attributes with their types.
struct FormRow {
  const char* onnx_op;
  int64_t since;
  int min_inputs;
  std::initializer_list<AttrRule> attrs;
};

constexpr AttrType kI = AttrType::kInt, kF = AttrType::kFloat, kS = AttrType::kString, kIs = AttrType::kInts,
                   kFs = AttrType::kFloats;

// Rows for the ops whose older form differs from the IR's (ops.def) or whose
// attributes the rewrites read; the rows of one op are ordered by `since`
// and the last one not after the opset applies. Other ops take the IR's
// minimum input count from ops.def.
const FormRow kForms[] = {
    {"Upsample", 6, 1, {{"scales", kFs}, {"mode", kS}}},
    {"Upsample", 9, 2, {{"mode", kS}}},
    {"Add", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Sub", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Mul", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Div", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Pow", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Equal", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Greater", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Less", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"And", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Or", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"Xor", 6, 2, {{"axis", kI}, {"broadcast", kI}}},
    {"PRelu", 6, 2, {}},
    {"Gemm", 6, 2, {{"broadcast", kI}}},
    {"Cast", 6, 1, {{"to", kI}}},
    {"Clip", 6, 1, {{"min", kF}, {"max", kF}}},
    {"Clip", 11, 1, {}},
    {"Slice", 6, 1, {{"starts", kIs}, {"ends", kIs}, {"axes", kIs}}},
    {"Slice", 10, 3, {}},
    {"Pad", 6, 1, {{"pads", kIs}, {"paddings", kIs}, {"value", kF}, {"mode", kS}}},
    {"Pad", 11, 2, {{"mode", kS}}},
    {"Squeeze", 6, 1, {{"axes", kIs}}},
    {"Unsqueeze", 6, 1, {{"axes", kIs}}},
    {"Unsqueeze", 13, 2, {}},
    {"Split", 6, 1, {{"split", kIs}}},
    {"ReduceSum", 6, 1, {{"axes", kIs}, {"keepdims", kI}}},
    {"ReduceSum", 13, 1, {{"keepdims", kI}}},
    {"ReduceMean", 6, 1, {{"axes", kIs}, {"keepdims", kI}}},
    {"ReduceMean", 18, 1, {{"keepdims", kI}}},
    {"ReduceMax", 6, 1, {{"axes", kIs}, {"keepdims", kI}}},
    {"ReduceMax", 18, 1, {{"keepdims", kI}}},
    {"Softmax", 6, 1, {{"axis", kI}}},
    {"LogSoftmax", 6, 1, {{"axis", kI}}},
    {"Dropout", 6, 1, {}},
    {"Resize", 6, 2, {{"mode", kS}}},
    {"Resize", 11, 1, {{"mode", kS}, {"coordinate_transformation_mode", kS}, {"nearest_mode", kS}}},
    {"BatchNormalization", 6, 5, {{"training_mode", kI}, {"spatial", kI}}},
};

const FormRow* FindForm(const std::string& onnx_op, int64_t opset) {
  const FormRow* found = nullptr;
  for (const FormRow& row : kForms) {
    if (onnx_op == row.onnx_op && row.since <= opset) found = &row;
  }
  return found;
}

bool HasType(const ir::Attribute& a, AttrType type) {
  switch (type) {
    case AttrType::kInt:
      return std::holds_alternative<int64_t>(a);
    case AttrType::kFloat:
      return std::holds_alternative<float>(a);
    case AttrType::kString:
      return std::holds_alternative<std::string>(a);
    case AttrType::kInts:
      return std::holds_alternative<std::vector<int64_t>>(a);
    case AttrType::kFloats:
      return std::holds_alternative<std::vector<float>>(a);
  }
  return false;
}

const char* TypeName(AttrType type) {
  switch (type) {
    case AttrType::kInt:
      return "an int";
    case AttrType::kFloat:
      return "a float";
    case AttrType::kString:
      return "a string";
    case AttrType::kInts:
      return "a list of ints";
    case AttrType::kFloats:
      return "a list of floats";
  }
  return "?";
}

}  // namespace

Status CheckOnnxForm(const ir::Node& node, const std::string& onnx_op, int64_t opset) {
  const FormRow* form = FindForm(onnx_op, opset);
  const int min_inputs = form != nullptr ? form->min_inputs : GetOpInfo(node.op).min_inputs;
  const int nin = static_cast<int>(node.inputs.size());
  if (nin < min_inputs) {
    return InvalidModel("has " + std::to_string(nin) + " inputs, expected at least " +
                        std::to_string(min_inputs));
  }
  for (int i = 0; i < min_inputs; ++i) {
    if (node.inputs[static_cast<size_t>(i)] == ir::kNoValue) {
      return InvalidModel("required input " + std::to_string(i) + " is empty");
    }
  }
  if (form == nullptr) return Status::Ok();
  for (const AttrRule& rule : form->attrs) {
    auto it = node.attrs.all().find(rule.name);
    if (it != node.attrs.all().end() && !HasType(it->second, rule.type)) {
      return InvalidModel("attribute '" + std::string(rule.name) + "' must be " + TypeName(rule.type));
    }
  }
  return Status::Ok();
}

}  // namespace qforge::io
