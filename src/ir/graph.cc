#include "ir/graph.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

#include "core/check.h"

namespace qforge::ir {

const char* LayoutName(Layout l) {
  switch (l) {
    case Layout::kAny:
      return "any";
    case Layout::kNCHW:
      return "NCHW";
    case Layout::kNHWC:
      return "NHWC";
  }
  return "any";
}

bool TensorType::IsStatic() const {
  if (!rank_known) return false;
  return std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; });
}

std::string TensorType::ToString() const {
  std::string s = DataTypeName(dtype);
  if (!rank_known) return s + "[?rank]";
  s += "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    if (dims[i] >= 0) {
      s += std::to_string(dims[i]);
    } else if (i < dim_names.size() && !dim_names[i].empty()) {
      s += dim_names[i];
    } else {
      s += "?";
    }
  }
  s += "]";
  if (layout != Layout::kAny) s += std::string(" ") + LayoutName(layout);
  return s;
}

ValueId Graph::AddValue(std::string value_name, TensorType type) {
  Value v;
  v.name = std::move(value_name);
  v.type = std::move(type);
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::AddConstant(std::string value_name, Tensor tensor) {
  TensorType t;
  t.dtype = tensor.dtype();
  t.rank_known = true;
  t.dims = tensor.dims();
  t.quant = tensor.quant();
  ValueId id = AddValue(std::move(value_name), std::move(t));
  value(id).constant = std::make_shared<const Tensor>(std::move(tensor));
  return id;
}

NodeId Graph::AddNode(Node n) {
  NodeId id = static_cast<NodeId>(nodes.size());
  for (ValueId out : n.outputs) {
    if (out != kNoValue) value(out).producer = id;
  }
  nodes.push_back(std::move(n));
  return id;
}

std::optional<ValueId> Graph::FindValue(const std::string& value_name) const {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].name == value_name) return static_cast<ValueId>(i);
  }
  return std::nullopt;
}

void Graph::ReplaceAllUses(ValueId from, ValueId to) {
  for (Node& n : nodes) {
    if (n.removed) continue;
    for (ValueId& in : n.inputs) {
      if (in == from) in = to;
    }
  }
  for (ValueId& out : outputs) {
    if (out == from) out = to;
  }
}

std::vector<std::vector<NodeId>> Graph::ComputeConsumers() const {
  std::vector<std::vector<NodeId>> consumers(values.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].removed) continue;
    for (ValueId in : nodes[i].inputs) {
      if (in == kNoValue) continue;
      auto& list = consumers[static_cast<size_t>(in)];
      if (list.empty() || list.back() != static_cast<NodeId>(i)) list.push_back(static_cast<NodeId>(i));
    }
  }
  return consumers;
}

Status Graph::TopologicalSort() {
  // Kahn's algorithm, stable: among ready nodes the earliest original index
  // goes first, so an already sorted graph keeps its order.
  const size_t n = nodes.size();
  std::vector<int> pending(n, 0);
  auto consumers = ComputeConsumers();
  for (size_t i = 0; i < n; ++i) {
    for (ValueId in : nodes[i].inputs) {
      if (in == kNoValue) continue;
      NodeId p = value(in).producer;
      if (p != kNoNode && p != static_cast<NodeId>(i)) ++pending[i];
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (ValueId out : nodes[i].outputs) {
      if (out == kNoValue) continue;
      for (NodeId c : consumers[static_cast<size_t>(out)]) {
        if (static_cast<size_t>(c) == i) continue;  // self-loop: left pending, reported below
        // A consumer reading the same value twice was counted twice above.
        for (ValueId in : nodes[static_cast<size_t>(c)].inputs) {
          if (in == out && --pending[static_cast<size_t>(c)] == 0) ready.push(static_cast<size_t>(c));
        }
      }
    }
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] > 0) return InvalidModel(Describe(nodes[i]) + ": graph has a cycle through this node");
    }
    return InvalidModel("graph has a cycle");
  }
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(nodes[i]));
  nodes = std::move(sorted);
  for (Value& v : values) v.producer = kNoNode;
  for (size_t i = 0; i < n; ++i) {
    for (ValueId out : nodes[i].outputs) {
      if (out != kNoValue) value(out).producer = static_cast<NodeId>(i);
    }
  }
  return Status::Ok();
}

Status Graph::Compact() {
  std::vector<Node> kept;
  for (Node& n : nodes) {
    if (!n.removed) kept.push_back(std::move(n));
  }
  nodes = std::move(kept);
  std::vector<char> used(values.size(), 0);
  for (const Node& n : nodes) {
    for (ValueId v : n.inputs)
      if (v != kNoValue) used[static_cast<size_t>(v)] = 1;
    for (ValueId v : n.outputs)
      if (v != kNoValue) used[static_cast<size_t>(v)] = 1;
  }
  for (ValueId v : inputs) used[static_cast<size_t>(v)] = 1;
  for (ValueId v : outputs) used[static_cast<size_t>(v)] = 1;
  std::vector<ValueId> remap(values.size(), kNoValue);
  std::vector<Value> new_values;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<ValueId>(new_values.size());
    new_values.push_back(std::move(values[i]));
  }
  values = std::move(new_values);
  auto map_id = [&](ValueId& v) {
    if (v != kNoValue) v = remap[static_cast<size_t>(v)];
  };
  for (Node& n : nodes) {
    for (ValueId& v : n.inputs) map_id(v);
    for (ValueId& v : n.outputs) map_id(v);
  }
  for (ValueId& v : inputs) map_id(v);
  for (ValueId& v : outputs) map_id(v);
  // Node ids moved: the producer links TopologicalSort relies on must follow.
  for (Value& v : values) v.producer = kNoNode;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (ValueId v : nodes[i].outputs) {
      if (v != kNoValue) values[static_cast<size_t>(v)].producer = static_cast<NodeId>(i);
    }
  }
  return TopologicalSort();
}

std::string Graph::Describe(const Node& n) const {
  return "node '" + n.name + "' (" + std::string(OpName(n.op)) + ")";
}

}  // namespace qforge::ir
