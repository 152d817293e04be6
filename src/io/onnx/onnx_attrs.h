// ONNX AttributeProto <-> ir::Attribute. Graph-valued attributes (If, Loop,
// Scan bodies), sparse tensors and type protos have no IR form and are
// reported Unsupported.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "io/onnx/onnx_tensor.h"
#include "ir/attribute.h"
#include "qforge/status.h"

namespace qforge::io {

// Errors name the attribute, not the node (callers prefix the node).
Status AttributeFromProto(const onnx::AttributeProto& proto, const TensorSource& source, ir::Attribute* out);
void AttributeToProto(const std::string& name, const ir::Attribute& attr, onnx::AttributeProto* proto);

}  // namespace qforge::io
