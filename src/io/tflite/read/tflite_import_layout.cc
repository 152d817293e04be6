// Layout-bound TFLite operators (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
// the pools, RESIZE_*) and the dense ones (FULLY_CONNECTED, BATCH_MATMUL).
#include <limits>

#include "io/tflite/read/tflite_import_ops.h"
#include "io/tflite/read/tflite_verify.h"

namespace qforge::io::tflite_import {

namespace {

const std::vector<int64_t> kNhwcToNchw = {0, 3, 1, 2};
const std::vector<int64_t> kNchwToNhwc = {0, 2, 3, 1};
// TFLite weight layouts to the IR's: conv OHWI -> OIHW, depthwise 1HWC ->
// C1HW (group = C), transpose conv OHWI -> IOHW.
const std::vector<int64_t> kOhwiToOihw = {0, 3, 1, 2};
const std::vector<int64_t> kDepthwiseToOihw = {3, 0, 1, 2};
const std::vector<int64_t> kOhwiToIohw = {3, 0, 1, 2};

ir::Attributes PermAttr(const std::vector<int64_t>& perm) {
  ir::Attributes attrs;
  attrs.Set("perm", perm);
  return attrs;
}

// `v` (the value of tensor t, NHWC) transposed to NCHW.
// Both sides carry layout tags: a graph input tagged NHWC is reported as
// channels-last (image data is then read NHWC).
ir::ValueId ToNchw(OpArgs& a, ir::ValueId v, int32_t t) {
  a.ctx.graph().value(v).type.layout = ir::Layout::kNHWC;
  ir::TensorType type = a.ctx.TypeOf(t);
  type.layout = ir::Layout::kNCHW;
  const ir::ValueId out = a.ctx.NewValue(a.ctx.ValueName(v) + "_nchw", type);
  a.ctx.AddNode(a.name + "_to_nchw", OpKind::kTranspose, {v}, {out}, PermAttr(kNhwcToNchw));
  return out;
}

// A fresh NCHW value that `FromNchw` turns into `out` (tensor t).
ir::ValueId NchwOutput(OpArgs& a, int32_t t) {
  ir::TensorType type = a.ctx.TypeOf(t);
  type.layout = ir::Layout::kNCHW;
  return a.ctx.NewValue(a.ctx.ValueName(a.ctx.Value(t)) + "_nchw", type);
}

void FromNchw(OpArgs& a, ir::ValueId nchw, ir::ValueId out) {
  a.ctx.graph().value(out).type.layout = ir::Layout::kNHWC;
  a.ctx.AddNode(a.name + "_to_nhwc", OpKind::kTranspose, {nchw}, {out}, PermAttr(kNchwToNhwc));
}

int RemapAxis(int axis, const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] == axis) return static_cast<int>(i);
  }
  return axis;
}

// A weight that TFLite stores as a constant behind DEQUANTIZE (int8
// weight-only) or a float16 constant behind DEQUANTIZE (Cast in the IR):
// the constant is permuted and a new DequantizeLinear / Cast reads it, so
// the weight stays constant-derived (the writer emits it as a buffer again).
// The unpermuted pair keeps a suffixed name and is dropped if unused.
ir::ValueId PermutedDequantizedWeight(OpArgs& a, ir::ValueId v, const std::vector<int64_t>& perm) {
  ir::Graph& g = a.ctx.graph();
  if (g.value(v).producer == ir::kNoNode) return ir::kNoValue;
  const ir::Node src = g.node(g.value(v).producer);  // copy: AddNode may reallocate
  const bool dq = src.op == OpKind::kDequantizeLinear, cast = src.op == OpKind::kCast;
  if ((!dq && !cast) || src.inputs.empty() || !g.value(src.inputs[0]).is_constant()) return ir::kNoValue;
  const ir::Value& c = g.value(src.inputs[0]);
  if (c.constant->rank() != static_cast<int>(perm.size())) return ir::kNoValue;
  Tensor permuted = PermuteTensor(*c.constant, perm);
  const std::string const_name = c.name, value_name = g.value(v).name;
  a.ctx.RenameValue(src.inputs[0], const_name + "_unpermuted");
  a.ctx.RenameValue(v, value_name + "_unpermuted");
  std::vector<ir::ValueId> inputs = src.inputs;
  inputs[0] = a.ctx.AddConstant(const_name, std::move(permuted));
  ir::Attributes attrs = src.attrs;
  if (dq && attrs.Has("axis"))
    attrs.Set("axis", int64_t{RemapAxis(static_cast<int>(attrs.GetInt("axis", 0)), perm)});
  ir::TensorType type = g.value(v).type;
  type.quant = {};
  const ir::ValueId out = a.ctx.NewValue(value_name, type);
  a.ctx.AddNode(src.name + "_permuted", src.op, std::move(inputs), {out}, std::move(attrs));
  return out;
}

// A weight operand permuted to the IR layout: the constant itself, permuted
// once, a permuted dequantized constant, or a Transpose node for a weight
// computed at run time.
ir::ValueId PermutedOperand(OpArgs& a, int32_t t, const std::vector<int64_t>& perm) {
  if (a.ctx.IsConstant(t)) return a.ctx.PermutedConstant(t, perm);
  const ir::ValueId v = a.ctx.Value(t);
  if (const ir::ValueId w = PermutedDequantizedWeight(a, v, perm); w != ir::kNoValue) return w;
  ir::TensorType type = a.ctx.TypeOf(t);
  if (type.quant.axis >= 0) type.quant.axis = RemapAxis(type.quant.axis, perm);
  const ir::ValueId out = a.ctx.NewValue(a.ctx.ValueName(v) + "_permuted", type);
  a.ctx.AddNode(a.name + "_weight_transpose", OpKind::kTranspose, {v}, {out}, PermAttr(perm));
  return out;
}

Status RequireRank(const OpArgs& a, int32_t t, size_t rank, const char* what) {
  const size_t r = a.ctx.StaticShape(t).size();
  if (r != rank) {
    return a.Invalid(std::string(what) + " " + DescribeTensor(a.ctx.subgraph(), t) + " has rank " +
                     std::to_string(r) + ", expected " + std::to_string(rank));
  }
  return Status::Ok();
}

Status RequirePositive(const OpArgs& a, std::initializer_list<std::pair<const char*, int64_t>> values) {
  for (const auto& [name, v] : values) {
    if (v < 1) return a.Invalid(std::string(name) + " is " + std::to_string(v) + ", must be >= 1");
  }
  return Status::Ok();
}

// TFLite's SAME padding for one spatial dim: out = ceil(in / stride),
// total = max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0), the
// smaller half before.
void SamePads(int64_t in, int64_t k, int64_t stride, int64_t dilation, int64_t* before, int64_t* after) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
  *before = total / 2;
  *after = total - *before;
}

// Explicit ONNX pads [h_begin, w_begin, h_end, w_end] for a 2-D window over
// the NHWC input tensor t.
Status WindowPads(const OpArgs& a, int32_t t, tflite::Padding padding, int64_t kh, int64_t kw, int64_t sh,
                  int64_t sw, int64_t dh, int64_t dw, std::vector<int64_t>* pads) {
  if (padding == tflite::Padding_VALID) {
    *pads = {0, 0, 0, 0};
    return Status::Ok();
  }
  if (padding != tflite::Padding_SAME)
    return a.Invalid("padding " + std::to_string(padding) + " is not SAME or VALID");
  if (a.ctx.IsDynamicDim(t, 1) || a.ctx.IsDynamicDim(t, 2)) {
    return a.Unsupported("SAME padding over dynamic spatial dims");
  }
  const std::vector<int64_t> shape = a.ctx.StaticShape(t);
  int64_t hb = 0, he = 0, wb = 0, we = 0;
  SamePads(shape[1], kh, sh, dh, &hb, &he);
  SamePads(shape[2], kw, sw, dw, &wb, &we);
  *pads = {hb, wb, he, we};
  return Status::Ok();
}

// Emits x(NHWC) -> Transpose -> `op` -> [activation] -> Transpose -> out.
Status EmitNchwOp(OpArgs& a, OpKind op, std::vector<ir::ValueId> inputs, ir::Attributes attrs,
                  const quant::ActivationRange& range, bool fuses_activation) {
  const int32_t x = a.in(op == OpKind::kConvTranspose ? 2 : 0);
  inputs.insert(inputs.begin(), ToNchw(a, a.ctx.Value(x), x));
  const ir::ValueId out = a.ctx.Value(a.out(0));
  const ir::ValueId y = NchwOutput(a, a.out(0));
  if (fuses_activation || range.unbounded()) {
    a.ctx.AddNode(a.name, op, std::move(inputs), {y}, WithActivation(std::move(attrs), range));
  } else {
    const ir::ValueId pre = a.ctx.NewValue(a.ctx.ValueName(y) + "_preact", a.ctx.graph().value(y).type);
    a.ctx.AddNode(a.name, op, std::move(inputs), {pre}, std::move(attrs));
    EmitActivation(a, range, pre, y);
  }
  FromNchw(a, y, out);
  return Status::Ok();
}

// Conv2DOptions and DepthwiseConv2DOptions share their window fields; `w` is
// the filter's [O|1, H, W, I|C] shape.
template <typename ConvOptions>
Status ConvWindow(OpArgs& a, const ConvOptions& o, const std::vector<int64_t>& w, ir::Attributes* attrs) {
  QF_RETURN_IF_ERROR(RequirePositive(a, {{"stride_h", o.stride_h()},
                                         {"stride_w", o.stride_w()},
                                         {"dilation_h_factor", o.dilation_h_factor()},
                                         {"dilation_w_factor", o.dilation_w_factor()}}));
  std::vector<int64_t> pads;
  QF_RETURN_IF_ERROR(WindowPads(a, a.in(0), o.padding(), w[1], w[2], o.stride_h(), o.stride_w(),
                                o.dilation_h_factor(), o.dilation_w_factor(), &pads));
  attrs->Set("kernel_shape", std::vector<int64_t>{w[1], w[2]});
  attrs->Set("strides", std::vector<int64_t>{o.stride_h(), o.stride_w()});
  attrs->Set("dilations", std::vector<int64_t>{o.dilation_h_factor(), o.dilation_w_factor()});
  attrs->Set("pads", pads);
  return Status::Ok();
}

}  // namespace

Status ImportConv2D(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 3, 1, 2));
  const auto* o = a.op.builtin_options_as_Conv2DOptions();
  if (o == nullptr) return a.Invalid("Conv2DOptions are missing");
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(0), 4, "input"));
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(1), 4, "filter"));
  const std::vector<int64_t> x = a.ctx.StaticShape(a.in(0)), w = a.ctx.StaticShape(a.in(1));
  if (w[3] < 1 || x[3] % w[3] != 0) {
    return a.Invalid("input channels " + std::to_string(x[3]) + " are not a multiple of the filter's " +
                     std::to_string(w[3]));
  }
  QF_ASSIGN_OR_RETURN(quant::ActivationRange range, FusedRange(a, o->fused_activation_function()));
  ir::Attributes attrs;
  QF_RETURN_IF_ERROR(ConvWindow(a, *o, w, &attrs));
  attrs.Set("group", x[3] / w[3]);
  std::vector<ir::ValueId> inputs = {PermutedOperand(a, a.in(1), kOhwiToOihw)};
  if (a.in(2) >= 0) inputs.push_back(a.ctx.Value(a.in(2)));
  return EmitNchwOp(a, OpKind::kConv, std::move(inputs), std::move(attrs), range, true);
}

Status ImportDepthwiseConv2D(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 3, 1, 2));
  const auto* o = a.op.builtin_options_as_DepthwiseConv2DOptions();
  if (o == nullptr) return a.Invalid("DepthwiseConv2DOptions are missing");
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(0), 4, "input"));
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(1), 4, "filter"));
  const std::vector<int64_t> x = a.ctx.StaticShape(a.in(0)), w = a.ctx.StaticShape(a.in(1));
  if (w[0] != 1) return a.Invalid("filter " + DimsToString(w) + " must be [1, H, W, C * multiplier]");
  // The channel multiplier follows from the shapes; depth_multiplier is
  // advisory in TFLite (often 0 in converted files) and is not trusted.
  if (x[3] < 1 || w[3] % x[3] != 0) {
    return a.Invalid("filter channels " + std::to_string(w[3]) + " are not a multiple of the input's " +
                     std::to_string(x[3]));
  }
  QF_ASSIGN_OR_RETURN(quant::ActivationRange range, FusedRange(a, o->fused_activation_function()));
  ir::Attributes attrs;
  QF_RETURN_IF_ERROR(ConvWindow(a, *o, w, &attrs));
  attrs.Set("group", x[3]);
  std::vector<ir::ValueId> inputs = {PermutedOperand(a, a.in(1), kDepthwiseToOihw)};
  if (a.in(2) >= 0) inputs.push_back(a.ctx.Value(a.in(2)));
  return EmitNchwOp(a, OpKind::kConv, std::move(inputs), std::move(attrs), range, true);
}

Status ImportTransposeConv(OpArgs& a) {
  // Inputs: output_shape, weights [O, H, W, I], input, optional bias.
  QF_RETURN_IF_ERROR(a.CheckArity(3, 4, 1, 3));
  const auto* o = a.op.builtin_options_as_TransposeConvOptions();
  if (o == nullptr) return a.Invalid("TransposeConvOptions are missing");
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(2), 4, "input"));
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(1), 4, "filter"));
  QF_RETURN_IF_ERROR(RequirePositive(a, {{"stride_h", o->stride_h()}, {"stride_w", o->stride_w()}}));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> out_shape,
                      a.ctx.ConstantInts(a.in(0), a.where + "output_shape: "));
  if (out_shape.size() != 4)
    return a.Invalid("output_shape has " + std::to_string(out_shape.size()) + " values, expected 4");
  if (a.ctx.IsDynamicDim(a.in(2), 1) || a.ctx.IsDynamicDim(a.in(2), 2)) {
    return a.Unsupported("TRANSPOSE_CONV over dynamic spatial dims");
  }
  const std::vector<int64_t> x = a.ctx.StaticShape(a.in(2)), w = a.ctx.StaticShape(a.in(1));
  if (w[3] != x[3] || w[0] != out_shape[3]) {
    return a.Invalid("filter " + DimsToString(w) + " does not match input " + DimsToString(x) +
                     " and output_shape " + DimsToString(out_shape));
  }
  QF_ASSIGN_OR_RETURN(quant::ActivationRange range, FusedRange(a, o->fused_activation_function()));
  const int64_t stride[2] = {o->stride_h(), o->stride_w()};
  std::vector<int64_t> pads(4, 0), output_padding(2, 0);
  for (int d = 0; d < 2; ++d) {
    const int64_t in = x[static_cast<size_t>(d) + 1], k = w[static_cast<size_t>(d) + 1];
    const int64_t out = out_shape[static_cast<size_t>(d) + 1];
    if (o->padding() == tflite::Padding_SAME) {
      // The padding of the forward conv mapping `out` to `in`.
      const int64_t total = std::max<int64_t>((in - 1) * stride[d] + k - out, 0);
      pads[static_cast<size_t>(d)] = total / 2;
      pads[static_cast<size_t>(d) + 2] = total - total / 2;
    }
    const int64_t full =
        stride[d] * (in - 1) + k - pads[static_cast<size_t>(d)] - pads[static_cast<size_t>(d) + 2];
    output_padding[static_cast<size_t>(d)] = out - full;
    if (out - full < 0 || out - full >= stride[d]) {
      return a.Unsupported("output_shape " + DimsToString(out_shape) + " is not reachable from input " +
                           DimsToString(x) + " with this filter and stride");
    }
  }
  ir::Attributes attrs;
  attrs.Set("kernel_shape", std::vector<int64_t>{w[1], w[2]});
  attrs.Set("strides", std::vector<int64_t>{stride[0], stride[1]});
  attrs.Set("pads", pads);
  attrs.Set("output_padding", output_padding);
  std::vector<ir::ValueId> inputs = {PermutedOperand(a, a.in(1), kOhwiToIohw)};
  if (a.in(3) >= 0) inputs.push_back(a.ctx.Value(a.in(3)));
  return EmitNchwOp(a, OpKind::kConvTranspose, std::move(inputs), std::move(attrs), range, true);
}

Status ImportPool2D(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 1, 1, 1));
  const auto* o = a.op.builtin_options_as_Pool2DOptions();
  if (o == nullptr) return a.Invalid("Pool2DOptions are missing");
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(0), 4, "input"));
  QF_RETURN_IF_ERROR(RequirePositive(a, {{"stride_h", o->stride_h()},
                                         {"stride_w", o->stride_w()},
                                         {"filter_height", o->filter_height()},
                                         {"filter_width", o->filter_width()}}));
  QF_ASSIGN_OR_RETURN(quant::ActivationRange range, FusedRange(a, o->fused_activation_function()));
  std::vector<int64_t> pads;
  QF_RETURN_IF_ERROR(WindowPads(a, a.in(0), o->padding(), o->filter_height(), o->filter_width(),
                                o->stride_h(), o->stride_w(), 1, 1, &pads));
  ir::Attributes attrs;
  attrs.Set("kernel_shape", std::vector<int64_t>{o->filter_height(), o->filter_width()});
  attrs.Set("strides", std::vector<int64_t>{o->stride_h(), o->stride_w()});
  attrs.Set("pads", pads);
  // TFLite's average pool divides by the number of in-bounds elements: the
  // IR's count_include_pad = 0 (its default).
  const OpKind op =
      a.builtin == tflite::BuiltinOperator_MAX_POOL_2D ? OpKind::kMaxPool : OpKind::kAveragePool;
  return EmitNchwOp(a, op, {}, std::move(attrs), range, false);
}

Status ImportResize(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 2, 1, 2));
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(0), 4, "input"));
  QF_ASSIGN_OR_RETURN(std::vector<int64_t> size, a.ctx.ConstantInts(a.in(1), a.where + "size: "));
  if (size.size() != 2 || size[0] < 1 || size[1] < 1) {
    return a.Invalid("size " + DimsToString(size) + " must be two positive values [height, width]");
  }
  bool align_corners = false, half_pixel = false;
  ir::Attributes attrs;
  if (a.builtin == tflite::BuiltinOperator_RESIZE_BILINEAR) {
    if (const auto* o = a.op.builtin_options_as_ResizeBilinearOptions()) {
      align_corners = o->align_corners();
      half_pixel = o->half_pixel_centers();
    }
    attrs.Set("mode", std::string("linear"));
    attrs.Set("coordinate_transformation_mode", std::string(align_corners ? "align_corners"
                                                            : half_pixel  ? "half_pixel"
                                                                          : "asymmetric"));
  } else {
    if (const auto* o = a.op.builtin_options_as_ResizeNearestNeighborOptions()) {
      align_corners = o->align_corners();
      half_pixel = o->half_pixel_centers();
    }
    // TFLite rounds half away from zero with align_corners and floors
    // otherwise (after the half-pixel offset when half_pixel_centers).
    attrs.Set("mode", std::string("nearest"));
    attrs.Set("coordinate_transformation_mode", std::string(align_corners ? "align_corners"
                                                            : half_pixel  ? "tf_half_pixel_for_nn"
                                                                          : "asymmetric"));
    attrs.Set("nearest_mode", std::string(align_corners ? "round_prefer_ceil" : "floor"));
  }
  if (align_corners && half_pixel) return a.Invalid("align_corners and half_pixel_centers are both set");
  const std::vector<int64_t> x = a.ctx.StaticShape(a.in(0));
  if (a.ctx.IsDynamicDim(a.in(0), 0)) return a.Unsupported("RESIZE with a dynamic batch dim");
  const ir::ValueId sizes = a.ctx.AddInt64Constant(a.name + "_sizes", {x[0], x[3], size[0], size[1]});
  return EmitNchwOp(a, OpKind::kResize, {ir::kNoValue, ir::kNoValue, sizes}, std::move(attrs), {}, false);
}

Status ImportFullyConnected(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 3, 1, 2));
  const auto* o = a.op.builtin_options_as_FullyConnectedOptions();
  const auto act = o != nullptr ? o->fused_activation_function() : tflite::ActivationFunctionType_NONE;
  if (o != nullptr && o->weights_format() != tflite::FullyConnectedOptionsWeightsFormat_DEFAULT) {
    return a.Unsupported("shuffled weights format");
  }
  const bool keep_num_dims = o != nullptr && o->keep_num_dims();
  QF_RETURN_IF_ERROR(RequireRank(a, a.in(1), 2, "weights"));
  QF_ASSIGN_OR_RETURN(quant::ActivationRange range, FusedRange(a, act));
  const std::vector<int64_t> x = a.ctx.StaticShape(a.in(0)), w = a.ctx.StaticShape(a.in(1));
  if (x.empty()) return a.Invalid("input is a scalar");
  ir::ValueId in = a.ctx.Value(a.in(0));
  // TFLite flattens every input dim but the last into the batch.
  if (x.size() != 2) {
    const ir::ValueId flat = a.ctx.NewValue(a.ctx.ValueName(in) + "_2d", a.ctx.TypeOf(a.in(0)));
    a.ctx.AddNode(a.name + "_flatten", OpKind::kReshape,
                  {in, a.ctx.AddInt64Constant(a.name + "_flat_shape", {-1, w[1]})}, {flat});
    in = flat;
  }
  std::vector<ir::ValueId> inputs = {in, a.ctx.Value(a.in(1))};
  if (a.in(2) >= 0) inputs.push_back(a.ctx.Value(a.in(2)));
  ir::Attributes attrs;
  attrs.Set("transB", int64_t{1});
  const ir::ValueId out = a.ctx.Value(a.out(0));
  if (!keep_num_dims || x.size() == 2) {
    a.ctx.AddNode(a.name, OpKind::kGemm, std::move(inputs), {out}, WithActivation(std::move(attrs), range));
    return Status::Ok();
  }
  std::vector<int64_t> shape(x.begin(), x.end() - 1);
  shape.push_back(w[0]);
  if (a.ctx.IsDynamicDim(a.in(0), 0)) shape[0] = -1;
  const ir::ValueId y = a.ctx.NewValue(a.ctx.ValueName(out) + "_2d", a.ctx.TypeOf(a.out(0)));
  a.ctx.AddNode(a.name, OpKind::kGemm, std::move(inputs), {y}, WithActivation(std::move(attrs), range));
  a.ctx.AddNode(a.name + "_unflatten", OpKind::kReshape,
                {y, a.ctx.AddInt64Constant(a.name + "_out_shape", shape)}, {out});
  return Status::Ok();
}

Status ImportBatchMatMul(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(2, 2, 1, 2));
  const auto* o = a.op.builtin_options_as_BatchMatMulOptions();
  const bool adj[2] = {o != nullptr && o->adj_x(), o != nullptr && o->adj_y()};
  std::vector<ir::ValueId> inputs;
  for (size_t i = 0; i < 2; ++i) {
    const int32_t t = a.in(i);
    const size_t rank = a.ctx.StaticShape(t).size();
    if (rank < 2) return a.Invalid("operand " + DescribeTensor(a.ctx.subgraph(), t) + " has rank below 2");
    if (!adj[i]) {
      inputs.push_back(a.ctx.Value(t));
      continue;
    }
    // adj_x / adj_y: the last two dims are swapped before multiplying.
    std::vector<int64_t> perm(rank);
    for (size_t d = 0; d < rank; ++d) perm[d] = static_cast<int64_t>(d);
    std::swap(perm[rank - 1], perm[rank - 2]);
    inputs.push_back(PermutedOperand(a, t, perm));
  }
  a.ctx.AddNode(a.name, OpKind::kMatMul, std::move(inputs), {a.ctx.Value(a.out(0))});
  return Status::Ok();
}

}  // namespace qforge::io::tflite_import
