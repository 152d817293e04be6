#include "io/onnx/onnx_unsupported.h"

#include <string>

#include "io/unsupported_ops.h"
#include "ir/op_kind.h"

namespace qforge::io {

namespace {

// Protobuf's parse depth limit bounds the recursion.
void Collect(const onnx::GraphProto& graph, UnsupportedOps* missing) {
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& n = graph.node(i);
    const std::string name = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      missing->Add(n.op_type() + " of domain '" + n.domain() + "'", name);
    } else if (n.op_type() != "Constant" && n.op_type() != "Upsample" && !OpKindFromOnnx(n.op_type())) {
      // Constant becomes a value and Upsample a Resize (onnx_reader.cc).
      missing->Add(n.op_type(), name);
    }
    for (const onnx::AttributeProto& a : n.attribute()) {
      if (a.has_g()) Collect(a.g(), missing);
      for (const onnx::GraphProto& g : a.graphs()) Collect(g, missing);
    }
  }
}

}  // namespace

Status CheckOpsSupported(const onnx::GraphProto& graph) {
  UnsupportedOps missing;
  Collect(graph, &missing);
  return missing.ToStatus();
}

}  // namespace qforge::io
