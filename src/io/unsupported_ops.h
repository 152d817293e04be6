// Collects the ops of a model that a reader has no form for, so one error
// names them all ("unsupported ops: LSTM (2 nodes: 'a', 'b'), Scan (1 node:
// 'c')") instead of one op per attempt. Shared by the ONNX and TFLite readers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "qforge/status.h"

namespace qforge::io {

class UnsupportedOps {
 public:
  void Add(const std::string& op, const std::string& node_name);
  bool empty() const { return ops_.empty(); }
  // Ok when nothing was added; otherwise Unsupported listing every op (in
  // name order) with its node count and first node names.
  Status ToStatus() const;

 private:
  struct Nodes {
    size_t count = 0;
    std::vector<std::string> names;  // the first kNamesShown
  };
  std::map<std::string, Nodes> ops_;
};

}  // namespace qforge::io
