#include "io/onnx/onnx_opset17.h"

#include <cstdint>

namespace qforge::io {

Result<bool> WriteAttributeAtOpset17(const ir::Graph& g, const ir::Node& n, const std::string& name) {
  const ir::Attributes& a = n.attrs;
  if (n.op == OpKind::kSplit && name == "num_outputs") return false;
  if (n.op == OpKind::kResize) {
    if (name == "antialias") {
      if (a.GetInt("antialias", 0) == 0) return false;
      return Unsupported(g.Describe(n) + ": antialias=1 (opset 18) has no opset-17 form");
    }
    if (name == "keep_aspect_ratio_policy") {
      if (a.GetString("keep_aspect_ratio_policy", "stretch") == "stretch") return false;
      return Unsupported(g.Describe(n) + ": keep_aspect_ratio_policy (opset 18) has no opset-17 form");
    }
    if (name == "axes") return Unsupported(g.Describe(n) + ": Resize axes (opset 18) has no opset-17 form");
  }
  return true;
}

Result<std::optional<Tensor>> SplitSizesAtOpset17(const ir::Graph& g, const ir::Node& n,
                                                  const std::vector<const ir::TensorType*>& outputs) {
  if (n.op != OpKind::kSplit || !n.attrs.Has("num_outputs") || n.input(1) != ir::kNoValue) {
    return std::optional<Tensor>();
  }
  int64_t axis = n.attrs.GetInt("axis", 0);
  std::vector<int64_t> sizes;
  for (const ir::TensorType* t : outputs) {
    const int64_t a = t == nullptr ? -1 : axis < 0 ? axis + t->rank() : axis;
    if (t == nullptr || !t->rank_known || a < 0 || a >= t->rank() || t->dims[static_cast<size_t>(a)] < 0) {
      return Unsupported(g.Describe(n) + ": num_outputs over a dynamic dim cannot be written at opset 17 " +
                         "(pin the input shape)");
    }
    sizes.push_back(t->dims[static_cast<size_t>(a)]);
  }
  bool even = true;
  for (int64_t s : sizes) even = even && s == sizes[0];
  if (even) return std::optional<Tensor>();
  Tensor split(DataType::kInt64, {static_cast<int64_t>(sizes.size())});
  for (size_t i = 0; i < sizes.size(); ++i) split.data<int64_t>()[i] = sizes[i];
  return std::optional<Tensor>(std::move(split));
}

}  // namespace qforge::io
