#include "passes/pass_util.h"

#include <algorithm>
#include <unordered_set>

namespace qforge::passes {

bool IsGraphOutput(const ir::Graph& g, ir::ValueId id) {
  return std::find(g.outputs.begin(), g.outputs.end(), id) != g.outputs.end();
}

bool IsGraphInput(const ir::Graph& g, ir::ValueId id) {
  return std::find(g.inputs.begin(), g.inputs.end(), id) != g.inputs.end();
}

std::string UniqueValueName(const ir::Graph& g, const std::string& hint) {
  std::unordered_set<std::string> names;
  names.reserve(g.values.size());
  for (const ir::Value& v : g.values) names.insert(v.name);
  std::string name = hint;
  for (int i = 1; names.count(name) != 0; ++i) name = hint + "_" + std::to_string(i);
  return name;
}

const Tensor* FloatConstant(const ir::Graph& g, ir::ValueId id) {
  if (id == ir::kNoValue) return nullptr;
  const ir::Value& v = g.value(id);
  if (!v.is_constant() || v.constant->dtype() != DataType::kFloat32) return nullptr;
  return v.constant.get();
}

Status FinishPass(ir::Graph* g, const char* pass_name) {
  Status s = g->Compact();
  if (s.ok()) s = ir::VerifyGraph(*g);
  if (!s.ok()) return s.WithContext(std::string(pass_name) + ": ");
  return Status::Ok();
}

}  // namespace qforge::passes
