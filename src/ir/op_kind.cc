#include "ir/op_kind.h"

#include <array>

namespace qforge {

namespace {
constexpr std::array<OpInfo, static_cast<size_t>(OpKind::kCount)> kOpInfos = {{
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) \
  {OpKind::k##kind, #kind, onnx, #tfl, min_in, max_in, min_out, max_out},
#include "ir/ops.def"
#undef QF_OP
}};
}  // namespace

const OpInfo& GetOpInfo(OpKind kind) { return kOpInfos[static_cast<size_t>(kind)]; }

std::string_view OpName(OpKind kind) { return GetOpInfo(kind).name; }

std::optional<OpKind> OpKindFromOnnx(std::string_view onnx_type) {
  if (onnx_type.empty()) return std::nullopt;  // qforge-only ops (Requantize) have no ONNX type
  for (const OpInfo& info : kOpInfos) {
    if (info.onnx_type == onnx_type) return info.kind;
  }
  return std::nullopt;
}

}  // namespace qforge
