// OpKind and static facts about each op, generated from ops.def.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace qforge {

enum class OpKind : uint16_t {
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) k##kind,
#include "ir/ops.def"
#undef QF_OP
  kCount,
};

struct OpInfo {
  OpKind kind;
  std::string_view name;            // IR name, e.g. "Conv"
  std::string_view onnx_type;       // ONNX op_type in the default domain
  std::string_view tflite_builtin;  // "NONE" when TFLite has no direct builtin
  int min_inputs, max_inputs, min_outputs, max_outputs;
};

const OpInfo& GetOpInfo(OpKind kind);
std::string_view OpName(OpKind kind);
std::optional<OpKind> OpKindFromOnnx(std::string_view onnx_type);

}  // namespace qforge
