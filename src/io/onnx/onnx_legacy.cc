#include "io/onnx/onnx_legacy.h"

#include <onnx/onnx_pb.h>

#include <limits>
#include <optional>

#include "io/onnx/onnx_tensor.h"

namespace qforge::io {

namespace {

Tensor Int64Vector(const std::vector<int64_t>& v) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

// A scalar of the data input's float dtype (float32 when unknown), so that
// Clip bounds and Pad values match the tensor they apply to.
Tensor FloatScalarLike(const ir::Graph& g, const ir::Node& node, float value) {
  DataType dtype = DataType::kFloat32;
  if (node.input(0) != ir::kNoValue) {
    DataType in = g.value(node.input(0)).type.dtype;
    if (in == DataType::kFloat16 || in == DataType::kFloat64) dtype = in;
  }
  Tensor t(dtype, {});
  if (dtype == DataType::kFloat16) {
    t.data<uint16_t>()[0] = FloatToHalf(value);
  } else if (dtype == DataType::kFloat64) {
    t.data<double>()[0] = value;
  } else {
    t.data<float>()[0] = value;
  }
  return t;
}

void SetInput(ir::Node* node, size_t index, ir::ValueId id) {
  if (node->inputs.size() <= index) node->inputs.resize(index + 1, ir::kNoValue);
  node->inputs[index] = id;
}

// Moves an INTS attribute (type checked by CheckOnnxForm) into input
// `index` as an int64 constant; returns false when the attribute is absent.
bool IntsAttrToInput(const std::string& attr, size_t index, const AddConstantFn& add, ir::Node* node) {
  if (!node->attrs.Has(attr)) return false;
  std::vector<int64_t> v = node->attrs.GetInts(attr);
  node->attrs.Erase(attr);
  SetInput(node, index, add(node->name + "_" + attr, Int64Vector(v)));
  return true;
}

Status NormalizeCast(ir::Node* node) {
  if (!node->attrs.Has("to")) return InvalidModel("attribute 'to' is required");
  const auto& attr = node->attrs.all().at("to");
  if (!std::holds_alternative<int64_t>(attr)) return InvalidModel("attribute 'to' must be an int");
  const int64_t to = std::get<int64_t>(attr);
  if (to < std::numeric_limits<int32_t>::min() || to > std::numeric_limits<int32_t>::max()) {
    return InvalidModel("attribute 'to' = " + std::to_string(to) + " is not a data type");
  }
  std::optional<DataType> dtype = DataTypeFromOnnx(static_cast<int32_t>(to));
  if (!dtype) return Unsupported("Cast to " + OnnxTypeName(static_cast<int32_t>(to)));
  node->attrs.Set("to", static_cast<int64_t>(*dtype));
  return Status::Ok();
}

// A Resize roi/scales given as an empty tensor means "absent" (opsets 11-12
// required a placeholder); the IR marks absent inputs with kNoValue.
void DropEmptyResizeInputs(const ir::Graph& g, ir::Node* node) {
  for (size_t i = 1; i < 3 && i < node->inputs.size(); ++i) {
    ir::ValueId id = node->inputs[i];
    if (id != ir::kNoValue && g.value(id).is_constant() && g.value(id).constant->num_elements() == 0) {
      node->inputs[i] = ir::kNoValue;
    }
  }
}

// qforge runs inference only: Dropout's training_mode must be absent or a
// constant false, else the op would need random masks.
Status CheckDropoutInference(const ir::Graph& g, const ir::Node& node) {
  const ir::ValueId mode = node.input(2);
  if (mode == ir::kNoValue) return Status::Ok();
  const ir::Value& v = g.value(mode);
  if (!v.is_constant()) return Unsupported("training_mode given as a run-time input (inference only)");
  const Tensor& t = *v.constant;
  if (t.dtype() != DataType::kBool || t.num_elements() != 1) {
    return InvalidModel("training_mode must be a bool scalar");
  }
  if (t.data<uint8_t>()[0] != 0) return Unsupported("training_mode = true (inference only)");
  return Status::Ok();
}

// Before opset 7, binary ops broadcast only B onto A and only with
// broadcast=1; `axis` aligned B's dims at A's dim `axis` instead of at the
// end. Numpy broadcasting (the IR's) agrees once B gets trailing 1-dims.
Status NormalizeLegacyBroadcast(const ir::Graph& g, const AddConstantFn& add, ir::Node* node) {
  const bool has_axis = node->attrs.Has("axis");
  const int64_t axis = node->attrs.GetInt("axis", 0);
  node->attrs.Erase("broadcast");
  node->attrs.Erase("axis");
  if (!has_axis || node->inputs.size() != 2) return Status::Ok();
  const ir::Value& a = g.value(node->inputs[0]);
  const ir::Value& b = g.value(node->inputs[1]);
  if (!a.type.rank_known || !b.type.rank_known) {
    return Unsupported("legacy broadcast with axis on inputs of unknown rank");
  }
  const int64_t ra = a.type.rank(), rb = b.type.rank();
  const int64_t start = axis < 0 ? axis + ra : axis;
  if (start < 0 || start + rb > ra)
    return InvalidModel("broadcast axis " + std::to_string(axis) + " out of range");
  const int64_t trailing = ra - start - rb;
  if (trailing == 0) return Status::Ok();
  if (!b.is_constant()) return Unsupported("legacy broadcast with axis on a non-constant input");
  std::vector<int64_t> dims = b.constant->dims();
  dims.insert(dims.end(), static_cast<size_t>(trailing), 1);
  node->inputs[1] = add(b.name + "_bcast", b.constant->Clone().Reshaped(dims));
  return Status::Ok();
}

// PRelu before opset 7 applied a 1-D slope along the channel axis (dim 1);
// unidirectional numpy broadcasting needs it shaped [C, 1, ..., 1].
Status NormalizeLegacyPRelu(const ir::Graph& g, const AddConstantFn& add, ir::Node* node) {
  const ir::Value& x = g.value(node->inputs[0]);
  const ir::Value& slope = g.value(node->inputs[1]);
  if (!x.type.rank_known || !slope.type.rank_known || slope.type.rank() != 1 || x.type.rank() < 3) {
    return Status::Ok();
  }
  if (slope.type.dims[0] == 1) return Status::Ok();
  if (!slope.is_constant()) return Unsupported("per-channel slope computed at run time (opset < 7)");
  std::vector<int64_t> dims(static_cast<size_t>(x.type.rank() - 1), 1);
  dims[0] = slope.type.dims[0];
  node->inputs[1] = add(slope.name + "_channels", slope.constant->Clone().Reshaped(dims));
  return Status::Ok();
}

Status NormalizeUpsample(const ir::Graph& g, int64_t opset, const AddConstantFn& add, ir::Node* node) {
  node->op = OpKind::kResize;
  ir::ValueId scales = node->input(1);
  if (opset < 9) {
    if (!node->attrs.Has("scales")) return InvalidModel("attribute 'scales' is required");
    std::vector<float> s = node->attrs.GetFloats("scales");
    node->attrs.Erase("scales");
    Tensor t(DataType::kFloat32, {static_cast<int64_t>(s.size())});
    std::copy(s.begin(), s.end(), t.data<float>());
    scales = add(node->name + "_scales", std::move(t));
  }
  if (scales == ir::kNoValue) return InvalidModel("input 'scales' is required");
  node->inputs = {node->input(0), ir::kNoValue, scales};
  std::string mode = node->attrs.GetString("mode", "nearest");
  if (mode == "bilinear") mode = "linear";
  node->attrs.Set("mode", mode);
  // Upsample sampled with x_in = x_out / scale, rounded down.
  node->attrs.Set("coordinate_transformation_mode", std::string("asymmetric"));
  node->attrs.Set("nearest_mode", std::string("floor"));
  return Status::Ok();
}

}  // namespace

Status NormalizeLegacyNode(const ir::Graph& g, const std::string& onnx_op, int64_t opset,
                           const AddConstantFn& add, ir::Node* node) {
  if (onnx_op == "Upsample") return NormalizeUpsample(g, opset, add, node);
  switch (node->op) {
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kPow:
    case OpKind::kEqual:
    case OpKind::kGreater:
    case OpKind::kLess:
    case OpKind::kAnd:
    case OpKind::kOr:
    case OpKind::kXor:
      return opset < 7 ? NormalizeLegacyBroadcast(g, add, node) : Status::Ok();
    case OpKind::kPRelu:
      return opset < 7 ? NormalizeLegacyPRelu(g, add, node) : Status::Ok();
    case OpKind::kGemm:
      if (opset < 7) node->attrs.Erase("broadcast");  // C broadcasts numpy-style now
      return Status::Ok();
    case OpKind::kCast:
      return NormalizeCast(node);
    case OpKind::kClip:
      if (opset < 11) {
        const ir::ValueId x = node->input(0);
        ir::ValueId lo = ir::kNoValue, hi = ir::kNoValue;
        if (node->attrs.Has("min"))
          lo = add(node->name + "_min", FloatScalarLike(g, *node, node->attrs.GetFloat("min", 0)));
        if (node->attrs.Has("max"))
          hi = add(node->name + "_max", FloatScalarLike(g, *node, node->attrs.GetFloat("max", 0)));
        node->attrs.Erase("min");
        node->attrs.Erase("max");
        node->inputs = {x, lo, hi};
        while (node->inputs.size() > 1 && node->inputs.back() == ir::kNoValue) node->inputs.pop_back();
      }
      return Status::Ok();
    case OpKind::kSlice:
      if (opset < 10) {
        if (!node->attrs.Has("starts") || !node->attrs.Has("ends")) {
          return InvalidModel("attributes 'starts' and 'ends' are required");
        }
        node->inputs.resize(1);
        IntsAttrToInput("starts", 1, add, node);
        IntsAttrToInput("ends", 2, add, node);
        IntsAttrToInput("axes", 3, add, node);
      }
      return Status::Ok();
    case OpKind::kPad:
      if (opset < 11) {
        const char* pads_name = node->attrs.Has("pads") ? "pads" : "paddings";
        if (!node->attrs.Has(pads_name)) return InvalidModel("attribute 'pads' is required");
        node->inputs.resize(1);
        IntsAttrToInput(pads_name, 1, add, node);
        if (node->attrs.Has("value")) {
          SetInput(node, 2,
                   add(node->name + "_value", FloatScalarLike(g, *node, node->attrs.GetFloat("value", 0))));
          node->attrs.Erase("value");
        }
      }
      return Status::Ok();
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
      if (opset < 13) {
        node->inputs.resize(1);
        if (!IntsAttrToInput("axes", 1, add, node) && node->op == OpKind::kUnsqueeze) {
          return InvalidModel("attribute 'axes' is required");
        }
      }
      return Status::Ok();
    case OpKind::kSplit:
      if (opset < 13) {
        node->inputs.resize(1);
        IntsAttrToInput("split", 1, add, node);
      }
      return Status::Ok();
    case OpKind::kReduceSum:
    case OpKind::kReduceMean:
    case OpKind::kReduceMax:
      if (opset < (node->op == OpKind::kReduceSum ? 13 : 18)) {
        node->inputs.resize(1);
        IntsAttrToInput("axes", 1, add, node);
      }
      return Status::Ok();
    case OpKind::kSoftmax:
    case OpKind::kLogSoftmax:
      if (opset < 13) {
        node->attrs.Set("coerce_2d", int64_t{1});
        if (!node->attrs.Has("axis")) node->attrs.Set("axis", int64_t{1});
      }
      return Status::Ok();
    case OpKind::kDropout:
      if (opset < 12) {
        node->attrs.Erase("ratio");
        node->attrs.Erase("is_test");
      }
      return CheckDropoutInference(g, *node);
    case OpKind::kResize:
      if (opset < 11) {
        node->inputs = {node->input(0), ir::kNoValue, node->input(1)};
        // Resize-10 had no coordinate modes; it sampled like Upsample.
        node->attrs.Set("coordinate_transformation_mode", std::string("asymmetric"));
        node->attrs.Set("nearest_mode", std::string("floor"));
      }
      // The IR has the opset-13+ modes; this one was dropped there.
      if (node->attrs.GetString("coordinate_transformation_mode", "") == "tf_half_pixel_for_nn") {
        return Unsupported("coordinate_transformation_mode 'tf_half_pixel_for_nn' (removed in opset 13)");
      }
      DropEmptyResizeInputs(g, node);
      while (node->inputs.size() > 1 && node->inputs.back() == ir::kNoValue) node->inputs.pop_back();
      return Status::Ok();
    case OpKind::kBatchNormalization:
      if (node->outputs.size() > 1 || node->attrs.GetInt("training_mode", 0) != 0) {
        return Unsupported("training mode (running statistics outputs) is not supported");
      }
      if (opset < 9) {
        if (node->attrs.GetInt("spatial", 1) == 0) return Unsupported("attribute spatial=0 is not supported");
        node->attrs.Erase("spatial");
        node->attrs.Erase("is_test");
        node->attrs.Erase("consumed_inputs");
      }
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

}  // namespace qforge::io
