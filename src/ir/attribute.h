// Typed node attributes. Names follow ONNX; passes may add qforge-specific
// ones (documented where they are set).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::ir {

class Graph;  // graph.h includes this header

// A subgraph (If's then_branch / else_branch). Immutable and shared, so
// copying a graph copies the pointer; a pass that changes a branch makes a
// new one.
using Subgraph = std::shared_ptr<const Graph>;

using Attribute = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
                               std::vector<std::string>, Tensor, Subgraph>;

class Attributes {
 public:
  bool Has(const std::string& name) const { return map_.count(name) != 0; }
  void Set(const std::string& name, Attribute value) { map_[name] = std::move(value); }
  void Erase(const std::string& name) { map_.erase(name); }
  const std::map<std::string, Attribute>& all() const { return map_; }

  // Getters with defaults. A present attribute of the wrong type is a model
  // error, reported by the *Checked variants; the plain ones return the
  // default in that case (used after verification).
  int64_t GetInt(const std::string& name, int64_t def) const;
  float GetFloat(const std::string& name, float def) const;
  std::string GetString(const std::string& name, const std::string& def) const;
  std::vector<int64_t> GetInts(const std::string& name, const std::vector<int64_t>& def = {}) const;
  std::vector<float> GetFloats(const std::string& name, const std::vector<float>& def = {}) const;
  const Tensor* GetTensor(const std::string& name) const;
  // The subgraph attribute `name`, or nullptr.
  const Graph* GetGraph(const std::string& name) const;

 private:
  std::map<std::string, Attribute> map_;
};

}  // namespace qforge::ir
