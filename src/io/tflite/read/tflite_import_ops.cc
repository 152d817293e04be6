// Layout-free TFLite operators: 1:1 onto IR ops on the NHWC tensors, with
// TFLite's axes; and the dispatch over builtin codes.
#include "io/tflite/read/tflite_import_ops.h"

#include <cmath>
#include <limits>

#include "io/tflite/read/tflite_verify.h"

namespace qforge::io::tflite_import {

int32_t OpArgs::in(size_t i) const {
  return i < num_inputs() ? op.inputs()->Get(static_cast<flatbuffers::uoffset_t>(i)) : -1;
}
int32_t OpArgs::out(size_t i) const {
  return i < num_outputs() ? op.outputs()->Get(static_cast<flatbuffers::uoffset_t>(i)) : -1;
}

Status OpArgs::CheckArity(size_t min_in, size_t max_in, size_t outs, size_t required) const {
  if (num_inputs() < min_in || num_inputs() > max_in) {
    return Invalid("has " + std::to_string(num_inputs()) + " inputs, expected " + std::to_string(min_in) +
                   (max_in != min_in ? "-" + std::to_string(max_in) : std::string()));
  }
  if (num_outputs() != outs) {
    return Invalid("has " + std::to_string(num_outputs()) + " outputs, expected " + std::to_string(outs));
  }
  for (size_t i = 0; i < required; ++i) {
    if (in(i) < 0) return Invalid("required input " + std::to_string(i) + " is omitted (-1)");
  }
  return Status::Ok();
}

Result<quant::ActivationRange> FusedRange(const OpArgs& a, tflite::ActivationFunctionType f) {
  quant::ActivationRange r;
  switch (f) {
    case tflite::ActivationFunctionType_NONE:
      return r;
    case tflite::ActivationFunctionType_RELU:
      r.min = 0.0f;
      return r;
    case tflite::ActivationFunctionType_RELU6:
      r.min = 0.0f, r.max = 6.0f;
      return r;
    case tflite::ActivationFunctionType_RELU_N1_TO_1:
      r.min = -1.0f, r.max = 1.0f;
      return r;
    case tflite::ActivationFunctionType_TANH:
    case tflite::ActivationFunctionType_SIGN_BIT:
      return a.Unsupported(std::string("fused activation ") + tflite::EnumNameActivationFunctionType(f));
    default:
      return a.Invalid("fused activation " + std::to_string(static_cast<int>(f)) + " is not a TFLite value");
  }
}

ir::Attributes WithActivation(ir::Attributes attrs, const quant::ActivationRange& range) {
  ir::Node n;
  n.attrs = std::move(attrs);
  if (!range.unbounded()) quant::FuseActivation(&n, range);
  return std::move(n.attrs);
}

void EmitActivation(OpArgs& a, const quant::ActivationRange& range, ir::ValueId pre, ir::ValueId out) {
  if (range.min == 0.0f && std::isinf(range.max)) {
    a.ctx.AddNode(a.name + "_relu", OpKind::kRelu, {pre}, {out});
    return;
  }
  a.ctx.AddNode(a.name + "_clip", OpKind::kClip,
                {pre, a.ctx.AddFloatScalar(a.name + "_min", range.min),
                 a.ctx.AddFloatScalar(a.name + "_max", range.max)},
                {out});
}

ir::ValueId PreActivationValue(OpArgs& a, const quant::ActivationRange& range, ir::ValueId out) {
  if (range.unbounded()) return out;
  ir::TensorType t = a.ctx.graph().value(out).type;
  return a.ctx.NewValue(a.ctx.ValueName(out) + "_preact", t);
}

namespace {

// Op with `n` inputs mapped in order to IR `kind`, one output.
Status Direct(OpArgs& a, OpKind kind, size_t n, ir::Attributes attrs = {}) {
  QF_RETURN_IF_ERROR(a.CheckArity(n, n, 1, n));
  std::vector<ir::ValueId> inputs;
  for (size_t i = 0; i < n; ++i) inputs.push_back(a.ctx.Value(a.in(i)));
  a.ctx.AddNode(a.name, kind, std::move(inputs), {a.ctx.Value(a.out(0))}, std::move(attrs));
  return Status::Ok();
}

// ADD / SUB / MUL carry the clamp as attributes; DIV gets a separate op.
Status Binary(OpArgs& a, OpKind kind) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 2, 1, 2));
  auto act = tflite::ActivationFunctionType_NONE;
  if (const auto* o = a.op.builtin_options_as_AddOptions(); o != nullptr)
    act = o->fused_activation_function();
  if (const auto* o = a.op.builtin_options_as_SubOptions(); o != nullptr)
    act = o->fused_activation_function();
  if (const auto* o = a.op.builtin_options_as_MulOptions(); o != nullptr)
    act = o->fused_activation_function();
  if (const auto* o = a.op.builtin_options_as_DivOptions(); o != nullptr)
    act = o->fused_activation_function();
  QF_ASSIGN_OR_RETURN(quant::ActivationRange range, FusedRange(a, act));
  const std::vector<ir::ValueId> inputs = {a.ctx.Value(a.in(0)), a.ctx.Value(a.in(1))};
  const ir::ValueId out = a.ctx.Value(a.out(0));
  if (kind != OpKind::kDiv) {
    a.ctx.AddNode(a.name, kind, inputs, {out}, WithActivation({}, range));
    return Status::Ok();
  }
  const ir::ValueId pre = PreActivationValue(a, range, out);
  a.ctx.AddNode(a.name, kind, inputs, {pre});
  if (pre != out) EmitActivation(a, range, pre, out);
  return Status::Ok();
}

Status ReluFamily(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 1, 1, 1));
  quant::ActivationRange r;
  r.min = a.builtin == tflite::BuiltinOperator_RELU_N1_TO_1 ? -1.0f : 0.0f;
  if (a.builtin == tflite::BuiltinOperator_RELU6) r.max = 6.0f;
  if (a.builtin == tflite::BuiltinOperator_RELU_N1_TO_1) r.max = 1.0f;
  EmitActivation(a, r, a.ctx.Value(a.in(0)), a.ctx.Value(a.out(0)));
  return Status::Ok();
}

Status Softmax(OpArgs& a) {
  const auto* o = a.op.builtin_options_as_SoftmaxOptions();
  const float beta = o != nullptr ? o->beta() : 1.0f;
  if (beta != 1.0f) return a.Unsupported("softmax beta " + std::to_string(beta) + " (only 1 is supported)");
  ir::Attributes attrs;
  attrs.Set("axis", int64_t{-1});
  return Direct(a, OpKind::kSoftmax, 1, std::move(attrs));
}

Status LeakyRelu(OpArgs& a) {
  const auto* o = a.op.builtin_options_as_LeakyReluOptions();
  ir::Attributes attrs;
  attrs.Set("alpha", o != nullptr ? o->alpha() : 0.0f);
  return Direct(a, OpKind::kLeakyRelu, 1, std::move(attrs));
}

Status Reduce(OpArgs& a, OpKind kind) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 2, 1, 2));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> axes, a.ctx.ConstantInts(a.in(1), a.where + "axis: "));
  const auto* o = a.op.builtin_options_as_ReducerOptions();
  ir::Attributes attrs;
  attrs.Set("keepdims", int64_t{o != nullptr && o->keep_dims() ? 1 : 0});
  a.ctx.AddNode(
      a.name, kind,
      {a.ctx.Value(a.in(0)), a.ctx.AddInt64Constant(a.ctx.TensorName(a.in(1), a.name + "_axes"), axes)},
      {a.ctx.Value(a.out(0))}, std::move(attrs));
  return Status::Ok();
}

Status Concatenation(OpArgs& a) {
  if (a.num_inputs() < 1) return a.Invalid("has no inputs");
  QF_RETURN_IF_ERROR(a.CheckArity(1, a.num_inputs(), 1, a.num_inputs()));
  const auto* o = a.op.builtin_options_as_ConcatenationOptions();
  if (o == nullptr) return a.Invalid("ConcatenationOptions are missing");
  QF_ASSIGN_OR_RETURN(quant::ActivationRange range, FusedRange(a, o->fused_activation_function()));
  std::vector<ir::ValueId> inputs;
  for (size_t i = 0; i < a.num_inputs(); ++i) inputs.push_back(a.ctx.Value(a.in(i)));
  ir::Attributes attrs;
  attrs.Set("axis", int64_t{o->axis()});
  const ir::ValueId out = a.ctx.Value(a.out(0));
  const ir::ValueId pre = PreActivationValue(a, range, out);
  a.ctx.AddNode(a.name, OpKind::kConcat, std::move(inputs), {pre}, std::move(attrs));
  if (pre != out) EmitActivation(a, range, pre, out);
  return Status::Ok();
}

Status Reshape(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 2, 1, 1));
  std::vector<int64_t> shape;
  const auto* o = a.op.builtin_options_as_ReshapeOptions();
  // The shape input wins when constant; new_shape (older files) otherwise.
  if (a.in(1) >= 0 && a.ctx.IsConstant(a.in(1))) {
    QF_ASSIGN_OR_RETURN(shape, a.ctx.ConstantInts(a.in(1), a.where + "shape: "));
  } else if (o != nullptr && o->new_shape() != nullptr) {
    for (int32_t d : *o->new_shape()) shape.push_back(d);
  } else if (a.in(1) >= 0) {
    return a.Unsupported("a shape computed at run time");
  } else {
    return a.Invalid("has neither a shape input nor new_shape");
  }
  a.ctx.AddNode(
      a.name, OpKind::kReshape,
      {a.ctx.Value(a.in(0)), a.ctx.AddInt64Constant(a.ctx.TensorName(a.in(1), a.name + "_shape"), shape)},
      {a.ctx.Value(a.out(0))});
  return Status::Ok();
}

Status Squeeze(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 1, 1, 1));
  const auto* o = a.op.builtin_options_as_SqueezeOptions();
  std::vector<ir::ValueId> inputs = {a.ctx.Value(a.in(0))};
  if (o != nullptr && o->squeeze_dims() != nullptr && o->squeeze_dims()->size() > 0) {
    std::vector<int64_t> axes(o->squeeze_dims()->begin(), o->squeeze_dims()->end());
    inputs.push_back(a.ctx.AddInt64Constant(a.name + "_axes", axes));
  }
  a.ctx.AddNode(a.name, OpKind::kSqueeze, std::move(inputs), {a.ctx.Value(a.out(0))});
  return Status::Ok();
}

Status ExpandDims(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 2, 1, 2));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, a.ctx.ConstantInts(a.in(1), a.where + "axis: "));
  if (axis.size() != 1) return a.Invalid("axis has " + std::to_string(axis.size()) + " values, expected 1");
  a.ctx.AddNode(
      a.name, OpKind::kUnsqueeze,
      {a.ctx.Value(a.in(0)), a.ctx.AddInt64Constant(a.ctx.TensorName(a.in(1), a.name + "_axes"), axis)},
      {a.ctx.Value(a.out(0))});
  return Status::Ok();
}

Status TransposeOp(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 2, 1, 2));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> perm, a.ctx.ConstantInts(a.in(1), a.where + "perm: "));
  ir::Attributes attrs;
  attrs.Set("perm", perm);
  a.ctx.AddNode(a.name, OpKind::kTranspose, {a.ctx.Value(a.in(0))}, {a.ctx.Value(a.out(0))},
                std::move(attrs));
  return Status::Ok();
}

// PAD / PADV2: paddings [rank, 2] -> ONNX pads [begins..., ends...].
Status PadOp(OpArgs& a) {
  const bool v2 = a.builtin == tflite::BuiltinOperator_PADV2;
  QF_RETURN_IF_ERROR(a.CheckArity(2, v2 ? 3 : 2, 1, 2));
  ir::Attributes attrs;
  if (a.builtin == tflite::BuiltinOperator_MIRROR_PAD) {
    // REFLECT is ONNX's reflect; SYMMETRIC (the border repeated) has no ONNX mode.
    const auto* o = a.op.builtin_options_as_MirrorPadOptions();
    const auto mode = o != nullptr ? o->mode() : tflite::MirrorPadMode_REFLECT;
    if (mode != tflite::MirrorPadMode_REFLECT) {
      return a.Unsupported(std::string("MIRROR_PAD mode ") + tflite::EnumNameMirrorPadMode(mode));
    }
    attrs.Set("mode", std::string("reflect"));
  }
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> p, a.ctx.ConstantInts(a.in(1), a.where + "paddings: "));
  if (p.size() % 2 != 0) return a.Invalid("paddings has an odd number of values");
  const size_t rank = p.size() / 2;
  std::vector<int64_t> pads(p.size());
  for (size_t d = 0; d < rank; ++d) {
    pads[d] = p[2 * d];
    pads[rank + d] = p[2 * d + 1];
  }
  std::vector<ir::ValueId> inputs = {
      a.ctx.Value(a.in(0)), a.ctx.AddInt64Constant(a.ctx.TensorName(a.in(1), a.name + "_pads"), pads)};
  if (v2 && a.in(2) >= 0) inputs.push_back(a.ctx.Value(a.in(2)));
  a.ctx.AddNode(a.name, OpKind::kPad, std::move(inputs), {a.ctx.Value(a.out(0))}, std::move(attrs));
  return Status::Ok();
}

ir::ValueId SliceNode(OpArgs& a, ir::ValueId x, const std::vector<int64_t>& begin,
                      const std::vector<int64_t>& end, const std::vector<int64_t>& steps, ir::ValueId out) {
  std::vector<int64_t> axes(begin.size());
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
  a.ctx.AddNode(
      a.name, OpKind::kSlice,
      {x, a.ctx.AddInt64Constant(a.name + "_starts", begin), a.ctx.AddInt64Constant(a.name + "_ends", end),
       a.ctx.AddInt64Constant(a.name + "_axes", axes), a.ctx.AddInt64Constant(a.name + "_steps", steps)},
      {out});
  return out;
}

Status SliceOp(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(3, 3, 1, 3));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> begin, a.ctx.ConstantInts(a.in(1), a.where + "begin: "));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> size, a.ctx.ConstantInts(a.in(2), a.where + "size: "));
  if (begin.size() != size.size()) return a.Invalid("begin and size differ in length");
  std::vector<int64_t> end(begin.size());
  for (size_t i = 0; i < begin.size(); ++i) {
    if (begin[i] < 0 || size[i] < -1) return a.Invalid("negative begin or size below -1");
    end[i] = size[i] == -1 ? std::numeric_limits<int64_t>::max() : begin[i] + size[i];
  }
  SliceNode(a, a.ctx.Value(a.in(0)), begin, end, std::vector<int64_t>(begin.size(), 1),
            a.ctx.Value(a.out(0)));
  return Status::Ok();
}

Status StridedSlice(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(3, 4, 1, 3));
  const auto* o = a.op.builtin_options_as_StridedSliceOptions();
  const int begin_mask = o != nullptr ? o->begin_mask() : 0, end_mask = o != nullptr ? o->end_mask() : 0;
  const int shrink = o != nullptr ? o->shrink_axis_mask() : 0;
  if (o != nullptr && (o->ellipsis_mask() != 0 || o->new_axis_mask() != 0 || o->offset())) {
    return a.Unsupported("ellipsis_mask, new_axis_mask or offset");
  }
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> begin, a.ctx.ConstantInts(a.in(1), a.where + "begin: "));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> end, a.ctx.ConstantInts(a.in(2), a.where + "end: "));
  std::vector<int64_t> steps(begin.size(), 1);
  if (a.in(3) >= 0) {
    QF_ASSIGN_OR_RETURN(steps, a.ctx.ConstantInts(a.in(3), a.where + "strides: "));
  }
  if (end.size() != begin.size() || steps.size() != begin.size() || begin.size() > 30) {
    return a.Invalid("begin, end and strides differ in length");
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
  std::vector<int64_t> squeeze;
  for (size_t i = 0; i < begin.size(); ++i) {
    if (steps[i] == 0) return a.Invalid("stride " + std::to_string(i) + " is 0");
    if (shrink & (1 << i)) {
      // One element at begin; -1 means the last one.
      end[i] = begin[i] == -1 ? kMax : begin[i] + 1;
      steps[i] = 1;
      squeeze.push_back(static_cast<int64_t>(i));
      continue;
    }
    if (begin_mask & (1 << i)) begin[i] = steps[i] > 0 ? 0 : kMax;
    if (end_mask & (1 << i)) end[i] = steps[i] > 0 ? kMax : kMin;
  }
  const ir::ValueId out = a.ctx.Value(a.out(0));
  if (squeeze.empty()) {
    SliceNode(a, a.ctx.Value(a.in(0)), begin, end, steps, out);
    return Status::Ok();
  }
  const ir::ValueId sliced = a.ctx.NewValue(a.ctx.ValueName(out) + "_unsqueezed", a.ctx.TypeOf(a.out(0)));
  SliceNode(a, a.ctx.Value(a.in(0)), begin, end, steps, sliced);
  a.ctx.AddNode(a.name + "_shrink", OpKind::kSqueeze,
                {sliced, a.ctx.AddInt64Constant(a.name + "_shrink_axes", squeeze)}, {out});
  return Status::Ok();
}

Status SplitOp(OpArgs& a) {
  // SPLIT: (axis, input); SPLIT_V: (input, size_splits, axis).
  const bool v = a.builtin == tflite::BuiltinOperator_SPLIT_V;
  QF_RETURN_IF_ERROR(a.CheckArity(v ? 3 : 2, v ? 3 : 2, a.num_outputs(), v ? 3 : 2));
  if (a.num_outputs() < 1) return a.Invalid("has no outputs");
  const int32_t data = v ? a.in(0) : a.in(1), axis_t = v ? a.in(2) : a.in(0);
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, a.ctx.ConstantInts(axis_t, a.where + "axis: "));
  if (axis.size() != 1) return a.Invalid("axis must hold one value");
  std::vector<ir::ValueId> outs;
  for (size_t i = 0; i < a.num_outputs(); ++i) outs.push_back(a.ctx.Value(a.out(i)));
  ir::Attributes attrs;
  attrs.Set("axis", axis[0]);
  std::vector<ir::ValueId> inputs = {a.ctx.Value(data)};
  if (v) {
    QF_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, a.ctx.ConstantInts(a.in(1), a.where + "size_splits: "));
    if (sizes.size() != a.num_outputs()) return a.Invalid("size_splits and outputs differ in count");
    // One size may be -1: the rest of the axis.
    const std::vector<int64_t> shape = a.ctx.StaticShape(data);
    const int64_t r = static_cast<int64_t>(shape.size());
    const int64_t ax = axis[0] < 0 ? axis[0] + r : axis[0];
    if (ax < 0 || ax >= r) return a.Invalid("axis " + std::to_string(axis[0]) + " is out of range");
    int64_t known = 0, unknown = -1;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] == -1 && unknown < 0) {
        unknown = static_cast<int64_t>(i);
      } else if (sizes[i] < 0) {
        return a.Invalid("size_splits has a negative size");
      } else {
        known += sizes[i];
      }
    }
    if (unknown >= 0) sizes[static_cast<size_t>(unknown)] = shape[static_cast<size_t>(ax)] - known;
    inputs.push_back(a.ctx.AddInt64Constant(a.name + "_split", sizes));
  } else {
    attrs.Set("num_outputs", static_cast<int64_t>(a.num_outputs()));
  }
  a.ctx.AddNode(a.name, OpKind::kSplit, std::move(inputs), std::move(outs), std::move(attrs));
  return Status::Ok();
}

// RSQRT has no ONNX or IR op of its own: Sqrt then Reciprocal, as ONNX
// exporters write 1 / sqrt(x).
Status Rsqrt(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 1, 1, 1));
  // An integer RSQRT would need a scale for the intermediate square root,
  // which the file does not carry.
  if (a.ctx.TypeOf(a.out(0)).dtype != DataType::kFloat32) return a.Unsupported("integer RSQRT");
  const ir::ValueId out = a.ctx.Value(a.out(0));
  const ir::ValueId root = a.ctx.NewValue(a.ctx.ValueName(out) + "_sqrt", a.ctx.TypeOf(a.out(0)));
  a.ctx.AddNode(a.name + "_sqrt", OpKind::kSqrt, {a.ctx.Value(a.in(0))}, {root});
  a.ctx.AddNode(a.name, OpKind::kReciprocal, {root}, {out});
  return Status::Ok();
}

Status GatherOp(OpArgs& a) {
  const auto* o = a.op.builtin_options_as_GatherOptions();
  if (o != nullptr && o->batch_dims() != 0)
    return a.Unsupported("batch_dims " + std::to_string(o->batch_dims()));
  ir::Attributes attrs;
  attrs.Set("axis", int64_t{o != nullptr ? o->axis() : 0});
  return Direct(a, OpKind::kGather, 2, std::move(attrs));
}

}  // namespace

Status ImportOperator(OpArgs& a) {
  using B = tflite::BuiltinOperator;
  switch (static_cast<B>(a.builtin)) {
    case tflite::BuiltinOperator_CONV_2D:
      return ImportConv2D(a);
    case tflite::BuiltinOperator_DEPTHWISE_CONV_2D:
      return ImportDepthwiseConv2D(a);
    case tflite::BuiltinOperator_TRANSPOSE_CONV:
      return ImportTransposeConv(a);
    case tflite::BuiltinOperator_AVERAGE_POOL_2D:
    case tflite::BuiltinOperator_MAX_POOL_2D:
      return ImportPool2D(a);
    case tflite::BuiltinOperator_RESIZE_BILINEAR:
    case tflite::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR:
      return ImportResize(a);
    case tflite::BuiltinOperator_FULLY_CONNECTED:
      return ImportFullyConnected(a);
    case tflite::BuiltinOperator_BATCH_MATMUL:
      return ImportBatchMatMul(a);
    case tflite::BuiltinOperator_ADD:
      return Binary(a, OpKind::kAdd);
    case tflite::BuiltinOperator_SUB:
      return Binary(a, OpKind::kSub);
    case tflite::BuiltinOperator_MUL:
      return Binary(a, OpKind::kMul);
    case tflite::BuiltinOperator_DIV:
      return Binary(a, OpKind::kDiv);
    case tflite::BuiltinOperator_POW:
      return Direct(a, OpKind::kPow, 2);
    case tflite::BuiltinOperator_MAXIMUM:
      return Direct(a, OpKind::kMax, 2);
    case tflite::BuiltinOperator_MINIMUM:
      return Direct(a, OpKind::kMin, 2);
    case tflite::BuiltinOperator_PRELU:
      return Direct(a, OpKind::kPRelu, 2);
    case tflite::BuiltinOperator_EQUAL:
      return Direct(a, OpKind::kEqual, 2);
    case tflite::BuiltinOperator_GREATER:
      return Direct(a, OpKind::kGreater, 2);
    case tflite::BuiltinOperator_GREATER_EQUAL:
      return Direct(a, OpKind::kGreaterOrEqual, 2);
    case tflite::BuiltinOperator_LESS:
      return Direct(a, OpKind::kLess, 2);
    case tflite::BuiltinOperator_LESS_EQUAL:
      return Direct(a, OpKind::kLessOrEqual, 2);
    case tflite::BuiltinOperator_LOGICAL_AND:
      return Direct(a, OpKind::kAnd, 2);
    case tflite::BuiltinOperator_LOGICAL_OR:
      return Direct(a, OpKind::kOr, 2);
    case tflite::BuiltinOperator_LOGICAL_NOT:
      return Direct(a, OpKind::kNot, 1);
    case tflite::BuiltinOperator_RELU:
    case tflite::BuiltinOperator_RELU6:
    case tflite::BuiltinOperator_RELU_N1_TO_1:
      return ReluFamily(a);
    case tflite::BuiltinOperator_LOGISTIC:
      return Direct(a, OpKind::kSigmoid, 1);
    case tflite::BuiltinOperator_TANH:
      return Direct(a, OpKind::kTanh, 1);
    case tflite::BuiltinOperator_HARD_SWISH:
      return Direct(a, OpKind::kHardSwish, 1);
    case tflite::BuiltinOperator_LEAKY_RELU:
      return LeakyRelu(a);
    case tflite::BuiltinOperator_EXP:
      return Direct(a, OpKind::kExp, 1);
    case tflite::BuiltinOperator_SQRT:
      return Direct(a, OpKind::kSqrt, 1);
    case tflite::BuiltinOperator_RSQRT:
      return Rsqrt(a);
    case tflite::BuiltinOperator_ABS:
      return Direct(a, OpKind::kAbs, 1);
    case tflite::BuiltinOperator_NEG:
      return Direct(a, OpKind::kNeg, 1);
    case tflite::BuiltinOperator_LOG:
      return Direct(a, OpKind::kLog, 1);
    case tflite::BuiltinOperator_SOFTMAX:
      return Softmax(a);
    case tflite::BuiltinOperator_MEAN:
      return Reduce(a, OpKind::kReduceMean);
    case tflite::BuiltinOperator_SUM:
      return Reduce(a, OpKind::kReduceSum);
    case tflite::BuiltinOperator_REDUCE_MAX:
      return Reduce(a, OpKind::kReduceMax);
    case tflite::BuiltinOperator_CONCATENATION:
      return Concatenation(a);
    case tflite::BuiltinOperator_RESHAPE:
      return Reshape(a);
    case tflite::BuiltinOperator_SQUEEZE:
      return Squeeze(a);
    case tflite::BuiltinOperator_EXPAND_DIMS:
      return ExpandDims(a);
    case tflite::BuiltinOperator_TRANSPOSE:
      return TransposeOp(a);
    case tflite::BuiltinOperator_PAD:
    case tflite::BuiltinOperator_PADV2:
    case tflite::BuiltinOperator_MIRROR_PAD:
      return PadOp(a);
    case tflite::BuiltinOperator_SLICE:
      return SliceOp(a);
    case tflite::BuiltinOperator_STRIDED_SLICE:
      return StridedSlice(a);
    case tflite::BuiltinOperator_SPLIT:
    case tflite::BuiltinOperator_SPLIT_V:
      return SplitOp(a);
    case tflite::BuiltinOperator_GATHER:
      return GatherOp(a);
    case tflite::BuiltinOperator_CAST:
      return ImportCast(a);
    case tflite::BuiltinOperator_QUANTIZE:
      return ImportQuantize(a);
    case tflite::BuiltinOperator_DEQUANTIZE:
      return ImportDequantize(a);
    default:
      a.no_importer = true;
      return a.Unsupported("operator not supported");
  }
}

}  // namespace qforge::io::tflite_import
