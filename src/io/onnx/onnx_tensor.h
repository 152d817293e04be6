// Conversions between ONNX protobuf tensors/types and qforge tensors/types,
// shared by the ONNX reader and writer. Everything read here comes from an
// untrusted file: dims, data lengths and external-data paths are checked
// before any allocation or file access.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/memory_budget.h"
#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

// The largest protobuf message (model or tensor file) we parse: protobuf's
// own hard limit is 2 GiB, larger weights must use external data.
inline constexpr size_t kMaxProtoBytes = (size_t{2} << 30) - 1;

// Where external tensor data may be read from: files inside `base_dir`.
// Every tensor read is charged to `budget` (when set) before it is
// allocated, so that many tensors each under the per-tensor limit (one
// external file referenced 80 times) cannot together pass MemoryLimit().
// Ranges of external files may overlap (tied weights); only the total counts.
struct TensorSource {
  std::string base_dir;            // the model's folder; "" disables external data
  MemoryBudget* budget = nullptr;  // the model's budget; null: per-tensor limit only
  // When set, receives the path of every external data file read: they are
  // inputs of the command too (no output may replace one).
  std::set<std::string>* files_read = nullptr;
};

// ONNX TensorProto.DataType <-> qforge DataType; nullopt for types qforge
// does not hold (string, complex, bfloat16, uint16/32/64).
std::optional<DataType> DataTypeFromOnnx(int32_t onnx_type);
int32_t DataTypeToOnnx(DataType dtype);
// "FLOAT", "STRING", ... for messages about types we reject.
std::string OnnxTypeName(int32_t onnx_type);

// Parses `bytes` into `msg` under kMaxProtoBytes; a one-line InvalidModel
// naming `what` when the bytes are empty, truncated or corrupt.
Status ParseProto(std::string_view bytes, const std::string& what, google::protobuf::MessageLite* msg);

// Decodes a TensorProto (raw_data, typed fields or external data). Errors
// name the tensor but not the file (callers add it).
Result<Tensor> TensorFromProto(const onnx::TensorProto& proto, const TensorSource& source);
// The byte size a TensorProto's header declares (checked as TensorFromProto
// does), without reading its data: lets a reader refuse a model whose
// tensors together pass the budget before loading any of them.
Result<uint64_t> TensorProtoBytes(const onnx::TensorProto& proto);
// Encodes `tensor` as raw_data (little-endian), named `name`.
void TensorToProto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto);

// A value's type from a ValueInfoProto. Non-tensor types are Unsupported,
// negative dims InvalidModel.
Status TypeFromProto(const onnx::ValueInfoProto& info, ir::TensorType* type);
// Writes dtype and shape; dynamic dims become dim_param (their name, or "?").
void TypeToProto(const ir::TensorType& type, onnx::TypeProto* proto);

}  // namespace qforge::io
