#include "io/tflite/read/tflite_verify.h"

#include <flatbuffers/flatbuffers.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace qforge::io {

namespace {

constexpr uint32_t kSchemaVersion = 3;
// Nesting in a TFLite model is shallow (Model > SubGraph > Operator >
// options); a deep file is hostile. The table budget bounds verification
// time on files made of millions of tiny tables.
constexpr flatbuffers::uoffset_t kMaxDepth = 32;
constexpr flatbuffers::uoffset_t kMaxTables = 10'000'000;
constexpr int32_t kCustomCode = tflite::BuiltinOperator_CUSTOM;
// TFLite's control-flow builtins (not in the schema subset).
constexpr int32_t kIf = 118, kWhile = 119, kCallOnce = 129;
// Buffer.offset of 1 is the placeholder TFLite's exporter writes before it
// knows where external data goes; only offsets > 1 point at data.
constexpr uint64_t kFirstExternalOffset = 2;

template <typename T>
size_t Size(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? 0 : v->size();
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// Integer range a zero point of `t` must lie in.
bool ZeroPointRange(DataType t, int64_t* lo, int64_t* hi) {
  switch (t) {
    case DataType::kInt8:
      *lo = -128, *hi = 127;
      return true;
    case DataType::kUInt8:
      *lo = 0, *hi = 255;
      return true;
    case DataType::kInt16:
      *lo = -32768, *hi = 32767;
      return true;
    case DataType::kInt32:
    case DataType::kInt64:
      *lo = std::numeric_limits<int32_t>::min(), *hi = std::numeric_limits<int32_t>::max();
      return true;
    default:
      return false;
  }
}

class Verifier {
 public:
  Verifier(std::string_view bytes, const tflite::Model& model) : bytes_(bytes), m_(model) {}
  Status Run();

 private:
  Status VerifyBuffers();
  Status VerifySubgraphs();
  Status VerifyTensor(const tflite::SubGraph& sg, int32_t index);
  Status VerifyQuantization(const tflite::SubGraph& sg, int32_t index, const std::vector<int64_t>& dims,
                            DataType dtype);
  Status VerifyOperators(const tflite::SubGraph& sg);
  Status VerifyMetadata();

  std::string_view bytes_;
  const tflite::Model& m_;
  size_t num_buffers_ = 0;
};

Status Verifier::Run() {
  if (m_.version() != kSchemaVersion) {
    return InvalidModel("schema version " + std::to_string(m_.version()) + ", expected " +
                        std::to_string(kSchemaVersion));
  }
  QF_RETURN_IF_ERROR(VerifyBuffers());
  QF_RETURN_IF_ERROR(VerifySubgraphs());
  return VerifyMetadata();
}

Status Verifier::VerifyBuffers() {
  num_buffers_ = Size(m_.buffers());
  if (num_buffers_ == 0) return InvalidModel("model has no buffers (buffer 0 must exist and be empty)");
  for (uint32_t i = 0; i < num_buffers_; ++i) {
    const tflite::Buffer* b = m_.buffers()->Get(i);
    const std::string where = "buffer " + std::to_string(i) + ": ";
    if (b == nullptr) return InvalidModel(where + "is null");
    const uint64_t offset = b->offset(), size = b->size();
    if (offset >= kFirstExternalOffset) {
      if (Size(b->data()) != 0) return InvalidModel(where + "has both inline data and an external offset");
      if (offset > bytes_.size() || size > bytes_.size() - offset) {
        return InvalidModel(where + "external data [" + std::to_string(offset) + ", +" +
                            std::to_string(size) + ") lies outside the file (" +
                            std::to_string(bytes_.size()) + " bytes)");
      }
    } else if (offset == 0 && size != 0) {
      return InvalidModel(where + "has size " + std::to_string(size) + " but no offset");
    }
    if (i == 0 && !BufferBytes(m_, bytes_, 0).empty()) {
      return InvalidModel("buffer 0 is not empty (TFLite reserves it for tensors without data)");
    }
  }
  return Status::Ok();
}

Status Verifier::VerifySubgraphs() {
  const size_t n = Size(m_.subgraphs());
  if (n == 0) return InvalidModel("model has no subgraphs");
  // Only subgraph 0 is imported. Extra subgraphs are bodies of control-flow
  // ops (IF, WHILE, CALL_ONCE), whose builtin codes qforge rejects as
  // unsupported when subgraph 0 uses them; unreferenced ones are ignored.
  const tflite::SubGraph* sg = m_.subgraphs()->Get(0);
  if (sg == nullptr) return InvalidModel("subgraph 0 is null");
  const size_t num_tensors = Size(sg->tensors());
  if (num_tensors > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return InvalidModel("subgraph 0 has too many tensors");
  }
  for (int32_t t = 0; t < static_cast<int32_t>(num_tensors); ++t) QF_RETURN_IF_ERROR(VerifyTensor(*sg, t));
  for (const auto* list : {sg->inputs(), sg->outputs()}) {
    const char* what = list == sg->inputs() ? "input" : "output";
    for (size_t i = 0; i < Size(list); ++i) {
      const int32_t t = list->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (t < 0 || static_cast<size_t>(t) >= num_tensors) {
        return InvalidModel("subgraph 0 " + std::string(what) + " " + std::to_string(i) + " is tensor " +
                            std::to_string(t) + ", outside [0, " + std::to_string(num_tensors) + ")");
      }
    }
  }
  if (Size(sg->outputs()) == 0) return InvalidModel("subgraph 0 has no outputs");
  return VerifyOperators(*sg);
}

Status Verifier::VerifyTensor(const tflite::SubGraph& sg, int32_t index) {
  const tflite::Tensor* t = sg.tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
  if (t == nullptr) return InvalidModel("tensor " + std::to_string(index) + " is null");
  const std::string where = DescribeTensor(sg, index) + ": ";
  const int type = t->type();
  if (type < tflite::TensorType_MIN || type > tflite::TensorType_MAX) {
    return InvalidModel(where + "type " + std::to_string(type) + " is not a TFLite tensor type");
  }
  const DataType dtype = DataTypeFromTflite(t->type());
  if (dtype == DataType::kUndefined) {
    return Unsupported(where + "type " + tflite::EnumNameTensorType(t->type()) + " is not supported");
  }
  if (t->sparsity() != nullptr) return Unsupported(where + "sparse tensors are not supported");
  if (t->is_variable()) return Unsupported(where + "variable (stateful) tensors are not supported");
  std::vector<int64_t> dims;
  for (size_t i = 0; i < Size(t->shape()); ++i) {
    const int32_t d = t->shape()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (d < 0)
      return InvalidModel(where + "shape dim " + std::to_string(i) + " is negative (" + std::to_string(d) +
                          ")");
    dims.push_back(d);
  }
  if (t->shape_signature() != nullptr && Size(t->shape_signature()) != 0) {
    if (Size(t->shape_signature()) != dims.size()) {
      return InvalidModel(where + "shape_signature has rank " + std::to_string(Size(t->shape_signature())) +
                          ", shape has rank " + std::to_string(dims.size()));
    }
    for (size_t i = 0; i < dims.size(); ++i) {
      const int32_t d = t->shape_signature()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (d < -1)
        return InvalidModel(where + "shape_signature dim " + std::to_string(i) + " is " + std::to_string(d));
    }
  }
  const int64_t count = CheckedElementCount(dims);
  const int64_t elem = static_cast<int64_t>(DataTypeSize(dtype));
  if (count < 0 || count > std::numeric_limits<int64_t>::max() / elem) {
    return InvalidModel(where + "element count of shape " + DimsToString(dims) + " overflows");
  }
  if (t->buffer() >= num_buffers_) {
    return InvalidModel(where + "buffer index " + std::to_string(t->buffer()) + " is outside [0, " +
                        std::to_string(num_buffers_) + ")");
  }
  const std::string_view data = BufferBytes(m_, bytes_, t->buffer());
  if (!data.empty() && static_cast<uint64_t>(data.size()) != static_cast<uint64_t>(count * elem)) {
    return InvalidModel(where + "buffer " + std::to_string(t->buffer()) + " holds " +
                        std::to_string(data.size()) + " bytes, shape " + DimsToString(dims) + " of " +
                        DataTypeName(dtype) + " needs " + std::to_string(count * elem));
  }
  if (t->quantization() != nullptr) QF_RETURN_IF_ERROR(VerifyQuantization(sg, index, dims, dtype));
  return Status::Ok();
}

Status Verifier::VerifyQuantization(const tflite::SubGraph& sg, int32_t index,
                                    const std::vector<int64_t>& dims, DataType dtype) {
  const tflite::QuantizationParameters& q =
      *sg.tensors()->Get(static_cast<flatbuffers::uoffset_t>(index))->quantization();
  const std::string where = DescribeTensor(sg, index) + ": ";
  if (q.details_type() != tflite::QuantizationDetails_NONE) {
    return Unsupported(where + "custom quantization details are not supported");
  }
  // flatbuffers' verifier aligns a vector's length, not its 8-byte
  // elements; a writer always aligns them, so a misaligned one is broken.
  if (q.zero_point() != nullptr &&
      reinterpret_cast<uintptr_t>(q.zero_point()->data()) % alignof(int64_t) != 0) {
    return InvalidModel(where + "zero_point vector is not 8-byte aligned");
  }
  const size_t ns = Size(q.scale()), nz = Size(q.zero_point());
  if (ns == 0 && nz == 0) return Status::Ok();  // min/max only, or an empty table
  if (ns != nz) {
    return InvalidModel(where + "quantization has " + std::to_string(ns) + " scales and " +
                        std::to_string(nz) + " zero points");
  }
  const int32_t qd = q.quantized_dimension();
  const int rank = static_cast<int>(dims.size());
  if (qd < 0 || (rank > 0 && qd >= rank) || (rank == 0 && qd != 0)) {
    return InvalidModel(where + "quantized_dimension " + std::to_string(qd) + " is outside [0, " +
                        std::to_string(rank) + ")");
  }
  if (ns != 1 && (rank == 0 || static_cast<int64_t>(ns) != dims[static_cast<size_t>(qd)])) {
    return InvalidModel(where + std::to_string(ns) + " scales, expected 1 or dim " + std::to_string(qd) +
                        " of " + DimsToString(dims));
  }
  for (size_t i = 0; i < ns; ++i) {
    const float s = q.scale()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (!std::isfinite(s) || s <= 0.0f) {
      return InvalidModel(where + "scale " + std::to_string(i) + " is " + std::to_string(s) +
                          ", scales must be finite and > 0");
    }
  }
  int64_t lo = 0, hi = 0;
  if (!ZeroPointRange(dtype, &lo, &hi)) return Status::Ok();  // float tensors: parameters are ignored
  for (size_t i = 0; i < nz; ++i) {
    const int64_t z = q.zero_point()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (z < lo || z > hi) {
      return InvalidModel(where + "zero point " + std::to_string(z) + " is outside the " +
                          DataTypeName(dtype) + " range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                          "]");
    }
  }
  return Status::Ok();
}

Status Verifier::VerifyOperators(const tflite::SubGraph& sg) {
  const size_t num_tensors = Size(sg.tensors());
  const size_t num_codes = Size(m_.operator_codes());
  // Which operator writes each tensor (-1: none; -2: a graph input).
  std::vector<int64_t> writer(num_tensors, -1);
  for (size_t i = 0; i < Size(sg.inputs()); ++i)
    writer[static_cast<size_t>(sg.inputs()->Get(static_cast<flatbuffers::uoffset_t>(i)))] = -2;
  for (size_t o = 0; o < Size(sg.operators()); ++o) {
    const tflite::Operator* op = sg.operators()->Get(static_cast<flatbuffers::uoffset_t>(o));
    std::string where = "operator " + std::to_string(o);
    if (op == nullptr) return InvalidModel(where + " is null");
    if (op->opcode_index() >= num_codes) {
      return InvalidModel(where + ": opcode_index " + std::to_string(op->opcode_index()) +
                          " is outside [0, " + std::to_string(num_codes) + ")");
    }
    const tflite::OperatorCode* code = m_.operator_codes()->Get(op->opcode_index());
    if (code == nullptr)
      return InvalidModel(where + ": operator code " + std::to_string(op->opcode_index()) + " is null");
    if (code->deprecated_builtin_code() < 0 || code->builtin_code() < 0) {
      return InvalidModel(where + ": negative builtin code");
    }
    const int32_t builtin = BuiltinCodeOf(*code);
    if (builtin == kCustomCode) {
      const std::string name = code->custom_code() != nullptr ? code->custom_code()->str() : std::string();
      return Unsupported(where + ": custom op '" + Printable(name) + "' is not supported");
    }
    where += " (" + BuiltinName(builtin) + ")";
    // Control flow runs other subgraphs; qforge imports subgraph 0 only.
    if (builtin == kIf || builtin == kWhile || builtin == kCallOnce) {
      return Unsupported(where + ": control flow (runs other subgraphs) is not supported");
    }
    if (tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(builtin))[0] == '\0') {
      return Unsupported(where + ": builtin code " + std::to_string(builtin) + " is not supported");
    }
    for (size_t i = 0; i < Size(op->inputs()); ++i) {
      const int32_t t = op->inputs()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (t < -1 || t >= static_cast<int64_t>(num_tensors)) {
        return InvalidModel(where + ": input " + std::to_string(i) + " is tensor " + std::to_string(t) +
                            ", outside [0, " + std::to_string(num_tensors) + ")");
      }
    }
    for (size_t i = 0; i < Size(op->outputs()); ++i) {
      const int32_t t = op->outputs()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (t < 0 || t >= static_cast<int64_t>(num_tensors)) {
        return InvalidModel(where + ": output " + std::to_string(i) + " is tensor " + std::to_string(t) +
                            ", outside [0, " + std::to_string(num_tensors) + ")");
      }
      int64_t& w = writer[static_cast<size_t>(t)];
      if (w == -2) return InvalidModel(where + ": writes " + DescribeTensor(sg, t) + ", a graph input");
      if (w >= 0) {
        return InvalidModel(where + ": writes " + DescribeTensor(sg, t) + ", already written by operator " +
                            std::to_string(w));
      }
      const tflite::Tensor* tensor = sg.tensors()->Get(static_cast<flatbuffers::uoffset_t>(t));
      if (!BufferBytes(m_, bytes_, tensor->buffer()).empty()) {
        return InvalidModel(where + ": writes " + DescribeTensor(sg, t) + ", a constant");
      }
      w = static_cast<int64_t>(o);
    }
  }
  return Status::Ok();
}

Status Verifier::VerifyMetadata() {
  for (size_t i = 0; i < Size(m_.metadata()); ++i) {
    const tflite::Metadata* md = m_.metadata()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (md != nullptr && md->buffer() >= num_buffers_) {
      return InvalidModel("metadata " + std::to_string(i) + ": buffer " + std::to_string(md->buffer()) +
                          " is outside [0, " + std::to_string(num_buffers_) + ")");
    }
  }
  const size_t num_subgraphs = Size(m_.subgraphs());
  for (size_t i = 0; i < Size(m_.signature_defs()); ++i) {
    const tflite::SignatureDef* sd = m_.signature_defs()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (sd == nullptr) continue;
    const std::string where = "signature_def " + std::to_string(i) + ": ";
    if (sd->subgraph_index() >= num_subgraphs) {
      return InvalidModel(where + "subgraph_index " + std::to_string(sd->subgraph_index()) +
                          " is out of range");
    }
    const tflite::SubGraph* sg = m_.subgraphs()->Get(sd->subgraph_index());
    const size_t nt = sg == nullptr ? 0 : Size(sg->tensors());
    for (const auto* maps : {sd->inputs(), sd->outputs()}) {
      for (size_t k = 0; k < Size(maps); ++k) {
        const tflite::TensorMap* tm = maps->Get(static_cast<flatbuffers::uoffset_t>(k));
        if (tm != nullptr && tm->tensor_index() >= nt) {
          return InvalidModel(where + "tensor_index " + std::to_string(tm->tensor_index()) +
                              " is out of range");
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

int32_t BuiltinCodeOf(const tflite::OperatorCode& code) {
  return std::max<int32_t>(code.deprecated_builtin_code(), code.builtin_code());
}

std::string BuiltinName(int32_t code) {
  const char* name =
      code >= 0 ? tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code)) : "";
  return name[0] != '\0' ? std::string(name) : "builtin " + std::to_string(code);
}

DataType DataTypeFromTflite(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType_FLOAT32:
      return DataType::kFloat32;
    case tflite::TensorType_FLOAT16:
      return DataType::kFloat16;
    case tflite::TensorType_FLOAT64:
      return DataType::kFloat64;
    case tflite::TensorType_INT8:
      return DataType::kInt8;
    case tflite::TensorType_UINT8:
      return DataType::kUInt8;
    case tflite::TensorType_INT16:
      return DataType::kInt16;
    case tflite::TensorType_INT32:
      return DataType::kInt32;
    case tflite::TensorType_INT64:
      return DataType::kInt64;
    case tflite::TensorType_BOOL:
      return DataType::kBool;
    default:
      return DataType::kUndefined;
  }
}

std::string_view BufferBytes(const tflite::Model& model, std::string_view file, uint32_t index) {
  if (model.buffers() == nullptr || index >= model.buffers()->size()) return {};
  const tflite::Buffer* b = model.buffers()->Get(index);
  if (b == nullptr) return {};
  if (b->offset() >= kFirstExternalOffset) {
    if (b->offset() > file.size() || b->size() > file.size() - b->offset()) return {};
    return file.substr(static_cast<size_t>(b->offset()), static_cast<size_t>(b->size()));
  }
  if (b->data() == nullptr) return {};
  return {reinterpret_cast<const char*>(b->data()->data()), b->data()->size()};
}

std::string DescribeTensor(const tflite::SubGraph& sg, int32_t index) {
  std::string s = "tensor " + std::to_string(index);
  if (sg.tensors() == nullptr || index < 0 || static_cast<size_t>(index) >= sg.tensors()->size()) return s;
  const tflite::Tensor* t = sg.tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
  if (t != nullptr && t->name() != nullptr) s += " '" + Printable(t->name()->string_view()) + "'";
  return s;
}

Status VerifyTflite(std::string_view bytes, const std::string& source, const tflite::Model** model) {
  const std::string prefix = source + ": ";
  if (bytes.size() < 8) {
    return InvalidModel(prefix + "file is " + std::to_string(bytes.size()) +
                        " bytes, too short for a TFLite model");
  }
  if (bytes.substr(4, 4) != tflite::ModelIdentifier()) {
    return InvalidModel(prefix + "file identifier is '" + Printable(bytes.substr(4, 4)) +
                        "', expected 'TFL3'");
  }
  // The flatbuffer itself is below 2 GB; larger files carry external buffer
  // data after it, which the semantic check bounds against the whole file.
  const size_t fb_size = std::min<size_t>(bytes.size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), fb_size, kMaxDepth,
                                 kMaxTables);
  if (!tflite::VerifyModelBuffer(verifier)) {
    return InvalidModel(prefix + "flatbuffer structure is corrupt (offsets, sizes or nesting out of bounds)");
  }
  const tflite::Model* m = tflite::GetModel(bytes.data());
  Status s = Verifier(bytes, *m).Run();
  if (!s.ok()) return s.WithContext(prefix);
  *model = m;
  return Status::Ok();
}

}  // namespace qforge::io
