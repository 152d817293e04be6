#include "io/onnx/onnx_tensor.h"

#include <google/protobuf/io/coded_stream.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace qforge::io {

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; a big-endian host needs byte swapping here");

namespace {

// Same bound as the runtime's per-tensor limit: a file may claim any dims.
constexpr uint64_t kMaxInitializerBytes = uint64_t{4} << 30;

using onnx::TensorProto_DataType;

Status CheckedDims(const onnx::TensorProto& proto, std::vector<int64_t>* dims, int64_t* count) {
  dims->assign(proto.dims().begin(), proto.dims().end());
  for (int64_t d : *dims) {
    if (d < 0) return InvalidModel("tensor '" + proto.name() + "' has negative dim " + std::to_string(d));
  }
  *count = CheckedElementCount(*dims);
  if (*count < 0)
    return InvalidModel("tensor '" + proto.name() + "' dims " + DimsToString(*dims) + " overflow");
  return Status::Ok();
}

// Resolves an external-data location inside `base_dir`, refusing absolute
// paths, ".." components and symlinks that lead outside the folder.
Status ResolveExternalPath(const std::string& tensor, const std::string& location,
                           const std::string& base_dir, std::filesystem::path* out) {
  namespace fs = std::filesystem;
  if (base_dir.empty())
    return InvalidModel("tensor '" + tensor + "' uses external data, which is not allowed here");
  if (location.empty()) return InvalidModel("tensor '" + tensor + "' has external data without a location");
  fs::path loc(location);
  if (loc.is_absolute()) {
    return InvalidModel("tensor '" + tensor + "' external data path '" + location + "' is absolute");
  }
  for (const fs::path& part : loc) {
    if (part == "..") {
      return InvalidModel("tensor '" + tensor + "' external data path '" + location +
                          "' escapes the model's folder");
    }
  }
  std::error_code ec;
  fs::path full = fs::path(base_dir) / loc;
  if (!fs::exists(full, ec)) {
    return NotFound("tensor '" + tensor + "' external data file '" + location + "' not found");
  }
  fs::path real = fs::canonical(full, ec);
  fs::path base = fs::canonical(base_dir, ec);
  if (ec) return IoError("tensor '" + tensor + "' external data file '" + location + "': " + ec.message());
  auto [b, r] = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
  if (b != base.end()) {
    return InvalidModel("tensor '" + tensor + "' external data path '" + location +
                        "' resolves outside the model's folder");
  }
  *out = real;
  return Status::Ok();
}

// The tensor `proto` decodes into, charged to the source's budget before
// it is allocated; `bytes` is its checked size.
Result<Tensor> AllocateFor(const onnx::TensorProto& proto, const TensorSource& source, DataType dtype,
                           const std::vector<int64_t>& dims, size_t bytes) {
  if (source.budget != nullptr)
    QF_RETURN_IF_ERROR(source.budget->Charge(bytes, "tensor '" + proto.name() + "'"));
  return Tensor(dtype, dims);
}

// Reads `bytes` of external data into a new tensor, allocating only after
// the file is known to hold them (the dims in the file are untrusted).
Result<Tensor> ReadExternal(const onnx::TensorProto& proto, const TensorSource& source, DataType dtype,
                            const std::vector<int64_t>& dims, size_t bytes) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : proto.external_data()) {
    try {
      if (kv.key() == "location") {
        location = kv.value();
      } else if (kv.key() == "offset") {
        offset = std::stoll(kv.value());
      } else if (kv.key() == "length") {
        length = std::stoll(kv.value());
      }
    } catch (const std::exception&) {
      return InvalidModel("tensor '" + proto.name() + "' external data " + kv.key() + " '" + kv.value() +
                          "' is not a number");
    }
  }
  std::filesystem::path path;
  QF_RETURN_IF_ERROR(ResolveExternalPath(proto.name(), location, source.base_dir, &path));
  if (source.files_read != nullptr) source.files_read->insert(path.string());
  if (offset < 0 || (length >= 0 && static_cast<uint64_t>(length) != bytes)) {
    return InvalidModel("tensor '" + proto.name() + "' external data offset " + std::to_string(offset) +
                        " / length " + std::to_string(length) + " do not match its " + std::to_string(bytes) +
                        " bytes");
  }
  std::error_code ec;
  const uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (ec || static_cast<uintmax_t>(offset) > file_size ||
      file_size - static_cast<uintmax_t>(offset) < bytes) {
    return InvalidModel("tensor '" + proto.name() + "' external data file '" + location + "' is too short");
  }
  QF_ASSIGN_OR_RETURN(Tensor t, AllocateFor(proto, source, dtype, dims, bytes));
  std::ifstream f(path, std::ios::binary);
  f.seekg(offset);
  if (!f || (bytes > 0 && !f.read(static_cast<char*>(t.raw_data()), static_cast<std::streamsize>(bytes)))) {
    return IoError("tensor '" + proto.name() + "' cannot read external data file '" + location + "'");
  }
  if (dtype == DataType::kBool) {
    for (uint8_t& b : t.span<uint8_t>()) b = b != 0;
  }
  return t;
}

// Narrows int32_data entries (which ONNX also uses for small types) with a
// range check: an out-of-range value is a broken file, not something to wrap.
template <typename T>
Status CopyNarrowed(const onnx::TensorProto& proto, T* dst) {
  for (int i = 0; i < proto.int32_data_size(); ++i) {
    int32_t v = proto.int32_data(i);
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
      return InvalidModel("tensor '" + proto.name() + "' int32_data value " + std::to_string(v) +
                          " out of range for its type");
    }
    dst[i] = static_cast<T>(v);
  }
  return Status::Ok();
}

// How many values the typed field that carries `dtype` holds.
int TypedFieldSize(const onnx::TensorProto& proto, DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32:
      return proto.float_data_size();
    case DataType::kFloat64:
      return proto.double_data_size();
    case DataType::kInt64:
      return proto.int64_data_size();
    default:
      return proto.int32_data_size();
  }
}

Status CopyTypedData(const onnx::TensorProto& proto, int64_t count, Tensor* t) {
  auto mismatch = [&](const char* field, int n) {
    return InvalidModel("tensor '" + proto.name() + "' has " + std::to_string(n) + " " + field +
                        " values for " + std::to_string(count) + " elements");
  };
  switch (t->dtype()) {
    case DataType::kFloat32:
      if (proto.float_data_size() != count) return mismatch("float_data", proto.float_data_size());
      std::copy(proto.float_data().begin(), proto.float_data().end(), t->data<float>());
      return Status::Ok();
    case DataType::kFloat64:
      if (proto.double_data_size() != count) return mismatch("double_data", proto.double_data_size());
      std::copy(proto.double_data().begin(), proto.double_data().end(), t->data<double>());
      return Status::Ok();
    case DataType::kInt64:
      if (proto.int64_data_size() != count) return mismatch("int64_data", proto.int64_data_size());
      std::copy(proto.int64_data().begin(), proto.int64_data().end(), t->data<int64_t>());
      return Status::Ok();
    default:
      break;
  }
  if (proto.int32_data_size() != count) return mismatch("int32_data", proto.int32_data_size());
  switch (t->dtype()) {
    case DataType::kInt32:
      std::copy(proto.int32_data().begin(), proto.int32_data().end(), t->data<int32_t>());
      return Status::Ok();
    case DataType::kInt16:
      return CopyNarrowed(proto, t->data<int16_t>());
    case DataType::kInt8:
      return CopyNarrowed(proto, t->data<int8_t>());
    case DataType::kUInt8:
      return CopyNarrowed(proto, t->data<uint8_t>());
    case DataType::kFloat16:
      return CopyNarrowed(proto, t->data<uint16_t>());  // the half's bits
    case DataType::kBool:
      for (int i = 0; i < count; ++i) t->data<uint8_t>()[i] = proto.int32_data(i) != 0 ? 1 : 0;
      return Status::Ok();
    default:
      return Internal("tensor '" + proto.name() + "': unhandled dtype");
  }
}

}  // namespace

std::optional<DataType> DataTypeFromOnnx(int32_t onnx_type) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT:
      return DataType::kFloat32;
    case onnx::TensorProto::FLOAT16:
      return DataType::kFloat16;
    case onnx::TensorProto::DOUBLE:
      return DataType::kFloat64;
    case onnx::TensorProto::INT8:
      return DataType::kInt8;
    case onnx::TensorProto::UINT8:
      return DataType::kUInt8;
    case onnx::TensorProto::INT16:
      return DataType::kInt16;
    case onnx::TensorProto::INT32:
      return DataType::kInt32;
    case onnx::TensorProto::INT64:
      return DataType::kInt64;
    case onnx::TensorProto::BOOL:
      return DataType::kBool;
    default:
      return std::nullopt;
  }
}

int32_t DataTypeToOnnx(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32:
      return onnx::TensorProto::FLOAT;
    case DataType::kFloat16:
      return onnx::TensorProto::FLOAT16;
    case DataType::kFloat64:
      return onnx::TensorProto::DOUBLE;
    case DataType::kInt8:
      return onnx::TensorProto::INT8;
    case DataType::kUInt8:
      return onnx::TensorProto::UINT8;
    case DataType::kInt16:
      return onnx::TensorProto::INT16;
    case DataType::kInt32:
      return onnx::TensorProto::INT32;
    case DataType::kInt64:
      return onnx::TensorProto::INT64;
    case DataType::kBool:
      return onnx::TensorProto::BOOL;
    case DataType::kUndefined:
      return onnx::TensorProto::UNDEFINED;
  }
  return onnx::TensorProto::UNDEFINED;
}

std::string OnnxTypeName(int32_t onnx_type) {
  if (onnx::TensorProto_DataType_IsValid(onnx_type)) {
    return onnx::TensorProto_DataType_Name(static_cast<TensorProto_DataType>(onnx_type));
  }
  return "type " + std::to_string(onnx_type);
}

Status ParseProto(std::string_view bytes, const std::string& what, google::protobuf::MessageLite* msg) {
  if (bytes.empty()) return InvalidModel(what + " is empty");
  if (bytes.size() > kMaxProtoBytes) {
    return InvalidModel(what + " is " + std::to_string(bytes.size()) + " bytes, over protobuf's 2 GiB limit");
  }
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(static_cast<int>(bytes.size()));
  if (!msg->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {
    return InvalidModel(what + " is not a valid protobuf message (truncated or corrupt)");
  }
  return Status::Ok();
}

namespace {

// A tensor's dtype, dims and byte size from its header, checked (the data
// is not looked at).
struct TensorHeader {
  DataType dtype = DataType::kUndefined;
  std::vector<int64_t> dims;
  int64_t count = 0;
  size_t bytes = 0;
};

Result<TensorHeader> ReadHeader(const onnx::TensorProto& proto) {
  std::optional<DataType> dtype = DataTypeFromOnnx(proto.data_type());
  if (!dtype) {
    if (proto.data_type() == onnx::TensorProto::UNDEFINED) {
      return InvalidModel("tensor '" + proto.name() + "' has no data type");
    }
    return Unsupported("tensor '" + proto.name() + "' has data type " + OnnxTypeName(proto.data_type()));
  }
  if (proto.has_segment()) return Unsupported("tensor '" + proto.name() + "' is segmented");
  TensorHeader h;
  h.dtype = *dtype;
  QF_RETURN_IF_ERROR(CheckedDims(proto, &h.dims, &h.count));
  const size_t elem = DataTypeSize(*dtype);
  if (static_cast<uint64_t>(h.count) > kMaxInitializerBytes / elem) {
    return InvalidModel("tensor '" + proto.name() + "' dims " + DimsToString(h.dims) + " exceed the " +
                        std::to_string(kMaxInitializerBytes >> 30) + " GiB tensor limit");
  }
  h.bytes = static_cast<size_t>(h.count) * elem;
  return h;
}

}  // namespace

Result<uint64_t> TensorProtoBytes(const onnx::TensorProto& proto) {
  QF_ASSIGN_OR_RETURN(const TensorHeader h, ReadHeader(proto));
  return uint64_t{h.bytes};
}

Result<Tensor> TensorFromProto(const onnx::TensorProto& proto, const TensorSource& source) {
  QF_ASSIGN_OR_RETURN(const TensorHeader h, ReadHeader(proto));
  const DataType dtype = h.dtype;
  const std::vector<int64_t>& dims = h.dims;
  const size_t bytes = h.bytes;
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return ReadExternal(proto, source, dtype, dims, bytes);
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytes) {
      return InvalidModel("tensor '" + proto.name() + "' raw_data has " +
                          std::to_string(proto.raw_data().size()) + " bytes, its dims " + DimsToString(dims) +
                          " need " + std::to_string(bytes));
    }
    QF_ASSIGN_OR_RETURN(Tensor t, AllocateFor(proto, source, dtype, dims, bytes));
    if (bytes > 0) std::memcpy(t.raw_data(), proto.raw_data().data(), bytes);
    if (dtype == DataType::kBool) {
      for (uint8_t& b : t.span<uint8_t>()) b = b != 0;
    }
    return t;
  }
  // Counted before allocating: dims claiming 4 GiB with no data must not
  // cost 4 GiB.
  const int typed = TypedFieldSize(proto, dtype);
  if (typed != h.count) {
    return InvalidModel("tensor '" + proto.name() + "' has " + std::to_string(typed) + " values for " +
                        std::to_string(h.count) + " elements");
  }
  QF_ASSIGN_OR_RETURN(Tensor t, AllocateFor(proto, source, dtype, dims, bytes));
  QF_RETURN_IF_ERROR(CopyTypedData(proto, h.count, &t));
  return t;
}

void TensorToProto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(DataTypeToOnnx(tensor.dtype()));
  for (int64_t d : tensor.dims()) proto->add_dims(d);
  proto->set_raw_data(tensor.raw_data(), tensor.byte_size());
}

Status TypeFromProto(const onnx::ValueInfoProto& info, ir::TensorType* type) {
  *type = ir::TensorType{};
  if (!info.has_type()) return Status::Ok();  // untyped: inference fills it
  const onnx::TypeProto& tp = info.type();
  if (tp.value_case() != onnx::TypeProto::kTensorType) {
    return Unsupported("value '" + info.name() + "' is not a tensor (sequence, map, optional or sparse)");
  }
  const onnx::TypeProto_Tensor& tt = tp.tensor_type();
  if (tt.elem_type() != onnx::TensorProto::UNDEFINED) {
    std::optional<DataType> dtype = DataTypeFromOnnx(tt.elem_type());
    if (!dtype)
      return Unsupported("value '" + info.name() + "' has element type " + OnnxTypeName(tt.elem_type()));
    type->dtype = *dtype;
  }
  if (!tt.has_shape()) return Status::Ok();
  type->rank_known = true;
  bool any_name = false;
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0) {
        return InvalidModel("value '" + info.name() + "' has negative dim " + std::to_string(d.dim_value()));
      }
      type->dims.push_back(d.dim_value());
      type->dim_names.emplace_back();
    } else {
      type->dims.push_back(ir::kDynamicDim);
      type->dim_names.push_back(d.has_dim_param() ? d.dim_param() : "");
      any_name = any_name || !type->dim_names.back().empty();
    }
  }
  if (!any_name) type->dim_names.clear();
  if (CheckedElementCount(type->dims) < 0 && type->IsStatic()) {
    return InvalidModel("value '" + info.name() + "' dims " + DimsToString(type->dims) + " overflow");
  }
  return Status::Ok();
}

void TypeToProto(const ir::TensorType& type, onnx::TypeProto* proto) {
  onnx::TypeProto_Tensor* tt = proto->mutable_tensor_type();
  tt->set_elem_type(DataTypeToOnnx(type.dtype));
  if (!type.rank_known) return;
  onnx::TensorShapeProto* shape = tt->mutable_shape();
  for (size_t i = 0; i < type.dims.size(); ++i) {
    onnx::TensorShapeProto_Dimension* d = shape->add_dim();
    if (type.dims[i] >= 0) {
      d->set_dim_value(type.dims[i]);
    } else if (i < type.dim_names.size() && !type.dim_names[i].empty()) {
      d->set_dim_param(type.dim_names[i]);
    }
    // An unnamed unknown dim stays unset: equal dim_param strings assert
    // equal sizes to ONNX Runtime, which plans buffers by them.
  }
}

}  // namespace qforge::io
