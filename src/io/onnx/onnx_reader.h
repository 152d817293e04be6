// ONNX -> IR. The file is untrusted: it is parsed with protobuf under a size
// limit, then every reference, dtype, shape and data length is checked
// before the graph is built. Opsets 9-18 of the default domain; inputs that
// old opsets carried as attributes become constant inputs (the IR always has
// the latest form, see ops.def). Errors name the file, node, op type, opset
// and attribute.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

Result<std::unique_ptr<ir::Graph>> ReadOnnx(const std::string& path);
// `base_dir` resolves external data; `source` names the model in errors.
Result<std::unique_ptr<ir::Graph>> ReadOnnxFromBytes(std::string_view bytes, const std::string& source,
                                                     const std::string& base_dir);
// A serialized TensorProto (the ONNX backend tests' input_N.pb / output_N.pb).
Result<Tensor> ReadOnnxTensorFile(const std::string& path);

}  // namespace qforge::io
