#include "io/unsupported_ops.h"

namespace qforge::io {

namespace {
// Node names listed per op; the rest are counted. Keeps the line short.
constexpr size_t kNamesShown = 3;
}  // namespace

void UnsupportedOps::Add(const std::string& op, const std::string& node_name) {
  Nodes& n = ops_[op];
  ++n.count;
  if (n.names.size() < kNamesShown) n.names.push_back(node_name);
}

Status UnsupportedOps::ToStatus() const {
  if (ops_.empty()) return Status::Ok();
  std::string list;
  for (const auto& [op, n] : ops_) {
    if (!list.empty()) list += ", ";
    list += op + " (" + std::to_string(n.count) + (n.count == 1 ? " node: " : " nodes: ");
    for (size_t i = 0; i < n.names.size(); ++i) list += (i == 0 ? "'" : ", '") + n.names[i] + "'";
    if (n.count > n.names.size()) list += ", ...";
    list += ")";
  }
  return Unsupported("unsupported ops: " + list);
}

}  // namespace qforge::io
