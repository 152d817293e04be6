#include "io/onnx/onnx_attrs.h"

#include <type_traits>

#include "core/check.h"

namespace qforge::io {

namespace {

// Files from before IR version 2 may leave `type` unset; the populated field
// then tells the type.
onnx::AttributeProto::AttributeType GuessType(const onnx::AttributeProto& p) {
  if (p.has_f()) return onnx::AttributeProto::FLOAT;
  if (p.has_i()) return onnx::AttributeProto::INT;
  if (p.has_s()) return onnx::AttributeProto::STRING;
  if (p.has_t()) return onnx::AttributeProto::TENSOR;
  if (p.has_g()) return onnx::AttributeProto::GRAPH;
  if (p.floats_size() > 0) return onnx::AttributeProto::FLOATS;
  if (p.ints_size() > 0) return onnx::AttributeProto::INTS;
  if (p.strings_size() > 0) return onnx::AttributeProto::STRINGS;
  if (p.graphs_size() > 0) return onnx::AttributeProto::GRAPHS;
  return onnx::AttributeProto::UNDEFINED;
}

}  // namespace

Status AttributeFromProto(const onnx::AttributeProto& proto, const TensorSource& source, ir::Attribute* out) {
  auto type = proto.type();
  if (type == onnx::AttributeProto::UNDEFINED) type = GuessType(proto);
  const std::string what = "attribute '" + proto.name() + "'";
  switch (type) {
    case onnx::AttributeProto::INT:
      *out = static_cast<int64_t>(proto.i());
      return Status::Ok();
    case onnx::AttributeProto::FLOAT:
      *out = proto.f();
      return Status::Ok();
    case onnx::AttributeProto::STRING:
      *out = proto.s();
      return Status::Ok();
    case onnx::AttributeProto::INTS:
      *out = std::vector<int64_t>(proto.ints().begin(), proto.ints().end());
      return Status::Ok();
    case onnx::AttributeProto::FLOATS:
      *out = std::vector<float>(proto.floats().begin(), proto.floats().end());
      return Status::Ok();
    case onnx::AttributeProto::STRINGS:
      *out = std::vector<std::string>(proto.strings().begin(), proto.strings().end());
      return Status::Ok();
    case onnx::AttributeProto::TENSOR: {
      Result<Tensor> t = TensorFromProto(proto.t(), source);
      if (!t.ok()) return t.status().WithContext(what + ": ");
      *out = std::move(t).value();
      return Status::Ok();
    }
    case onnx::AttributeProto::GRAPH:
    case onnx::AttributeProto::GRAPHS:
      return Unsupported(what + " is a subgraph; control flow is not supported");
    case onnx::AttributeProto::SPARSE_TENSOR:
    case onnx::AttributeProto::SPARSE_TENSORS:
      return Unsupported(what + " is a sparse tensor");
    case onnx::AttributeProto::TENSORS:
      return Unsupported(what + " is a tensor list");
    case onnx::AttributeProto::TYPE_PROTO:
    case onnx::AttributeProto::TYPE_PROTOS:
      return Unsupported(what + " is a type");
    default:
      return InvalidModel(what + " has no value");
  }
}

void AttributeToProto(const std::string& name, const ir::Attribute& attr, onnx::AttributeProto* proto) {
  proto->set_name(name);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          proto->set_type(onnx::AttributeProto::INT);
          proto->set_i(v);
        } else if constexpr (std::is_same_v<T, float>) {
          proto->set_type(onnx::AttributeProto::FLOAT);
          proto->set_f(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          proto->set_type(onnx::AttributeProto::STRING);
          proto->set_s(v);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          proto->set_type(onnx::AttributeProto::INTS);
          for (int64_t x : v) proto->add_ints(x);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          proto->set_type(onnx::AttributeProto::FLOATS);
          for (float x : v) proto->add_floats(x);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          proto->set_type(onnx::AttributeProto::STRINGS);
          for (const std::string& x : v) proto->add_strings(x);
        } else if constexpr (std::is_same_v<T, Tensor>) {
          proto->set_type(onnx::AttributeProto::TENSOR);
          TensorToProto(v, "", proto->mutable_t());
        } else {
          static_assert(std::is_same_v<T, ir::Subgraph>);
          QF_CHECK(false && "the ONNX writer writes subgraphs itself (onnx_writer.cc)");
        }
      },
      attr);
}

}  // namespace qforge::io
