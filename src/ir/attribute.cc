#include "ir/attribute.h"

namespace qforge::ir {

namespace {
template <typename T>
const T* Find(const std::map<std::string, Attribute>& m, const std::string& name) {
  auto it = m.find(name);
  if (it == m.end()) return nullptr;
  return std::get_if<T>(&it->second);
}
}  // namespace

int64_t Attributes::GetInt(const std::string& name, int64_t def) const {
  const int64_t* v = Find<int64_t>(map_, name);
  return v ? *v : def;
}

float Attributes::GetFloat(const std::string& name, float def) const {
  if (const float* v = Find<float>(map_, name)) return *v;
  // ONNX writers sometimes store integral values for float attributes.
  if (const int64_t* v = Find<int64_t>(map_, name)) return static_cast<float>(*v);
  return def;
}

std::string Attributes::GetString(const std::string& name, const std::string& def) const {
  const std::string* v = Find<std::string>(map_, name);
  return v ? *v : def;
}

std::vector<int64_t> Attributes::GetInts(const std::string& name, const std::vector<int64_t>& def) const {
  const auto* v = Find<std::vector<int64_t>>(map_, name);
  return v ? *v : def;
}

std::vector<float> Attributes::GetFloats(const std::string& name, const std::vector<float>& def) const {
  const auto* v = Find<std::vector<float>>(map_, name);
  return v ? *v : def;
}

const Tensor* Attributes::GetTensor(const std::string& name) const { return Find<Tensor>(map_, name); }

const Graph* Attributes::GetGraph(const std::string& name) const {
  const Subgraph* v = Find<Subgraph>(map_, name);
  return v ? v->get() : nullptr;
}

}  // namespace qforge::ir
