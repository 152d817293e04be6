// Convolutions and pools of the TFLite writer (see tflite_export_ops.h):
// CONV_2D / DEPTHWISE_CONV_2D / TRANSPOSE_CONV with weights in TFLite's
// layout (1-D convolutions through a height-1 2-D one), MAX/AVERAGE_POOL_2D, global pools as MEAN /
// REDUCE_MAX, padding as SAME / VALID or an explicit PAD.
#include <algorithm>
#include <cmath>
#include <limits>

#include "io/tflite/write/tflite_export_ops.h"
#include "ops/conv_attrs.h"
#include "qscheme/fused_activation.h"

namespace qforge::io {

namespace {

using ir::Graph;
using ir::Node;
using tflite::BuiltinOperator;

// How a window op's padding is written: TFLite's SAME or VALID when the
// resolved pads are exactly what those compute, else an explicit PAD (as
// TFLite's converter writes for PyTorch-style symmetric pads) and VALID.
struct PaddingPlan {
  tflite::Padding padding = tflite::Padding_VALID;
  bool explicit_pad = false;
  int64_t begin[2] = {0, 0};
  int64_t end[2] = {0, 0};
};

Status PlanPadding(const ops::WindowGeometry& w, PaddingPlan* p) {
  if (w.in.size() != 2) return Unsupported("only 2-D windows exist in TFLite");
  bool valid = true, same = true;
  for (size_t i = 0; i < 2; ++i) {
    if (w.in[i] < 0) return Unsupported("dynamic spatial dims");
    const int64_t eff = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const int64_t s = w.strides[i];
    const int64_t out_valid = (w.in[i] - eff) / s + 1;
    valid = valid && w.pad_begin[i] == 0 && w.pad_end[i] == 0 && w.out[i] == out_valid;
    const int64_t out_same = (w.in[i] + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out_same - 1) * s + eff - w.in[i]);
    same = same && w.out[i] == out_same && w.pad_begin[i] == total / 2 && w.pad_end[i] == total - total / 2;
    p->begin[i] = w.pad_begin[i];
    // The end pad that makes VALID produce exactly `out` windows (ceil_mode
    // may need more than the declared one).
    p->end[i] = std::max(w.pad_end[i], (w.out[i] - 1) * s + eff - w.in[i] - w.pad_begin[i]);
  }
  p->padding = valid || !same ? tflite::Padding_VALID : tflite::Padding_SAME;
  p->explicit_pad = !valid && !same;
  return Status::Ok();
}

// A new tensor with the type and quantization of `like` and shape `dims`
// (-1: a dynamic batch).
int AddTensorShaped(TfliteBuilder& b, const std::string& name, int like, const std::vector<int64_t>& dims) {
  const tflite::TensorT& t = b.tensor(like);
  QuantParams q;
  if (t.quantization && !t.quantization->scale.empty()) {
    q.scale = t.quantization->scale;
    q.zero_point = t.quantization->zero_point;
  }
  return b.AddTensor(name, t.type, dims, q);
}

// Writes PAD (or PADV2 with `pad_value` when given) of the NHWC tensor `in`
// and returns the padded tensor.
int EmitSpatialPad(TfliteBuilder& b, int in, const PaddingPlan& p, const std::string& name,
                   const float* pad_value) {
  const tflite::TensorT& t = b.tensor(in);
  std::vector<int64_t> dims(t.shape.begin(), t.shape.end());
  if (t.shape_signature.size() == dims.size() && t.shape_signature[0] < 0) dims[0] = -1;  // dynamic batch
  dims[1] += p.begin[0] + p.end[0];
  dims[2] += p.begin[1] + p.end[1];
  const int padded = AddTensorShaped(b, name + "_padded", in, dims);
  // Named after the padded tensor, as a PAD read back and written again names it.
  const int paddings =
      b.AddInt32Const(b.tensor(padded).name + "_paddings",
                      {0, 0, static_cast<int32_t>(p.begin[0]), static_cast<int32_t>(p.end[0]),
                       static_cast<int32_t>(p.begin[1]), static_cast<int32_t>(p.end[1]), 0, 0},
                      {4, 2});
  if (pad_value != nullptr) {
    const int value = b.AddScalarLike(name + "_pad_value", in, *pad_value);
    // PADV2 takes a scalar value.
    b.AddOp(tflite::BuiltinOperator_PADV2, {in, paddings, value}, {padded}, Options(tflite::PadV2OptionsT{}));
  } else {
    b.AddOp(tflite::BuiltinOperator_PAD, {in, paddings}, {padded}, Options(tflite::PadOptionsT{}));
  }
  return padded;
}

bool IsQuantizedType(tflite::TensorType t) {
  return t == tflite::TensorType_INT8 || t == tflite::TensorType_UINT8 || t == tflite::TensorType_INT16;
}

// A zero bias (TFLite's converter always gives convolutions one): int32 at
// S_in * S_w[c] for integer convs, float otherwise.
int ZeroBias(TfliteBuilder& b, const std::string& name, int in, int w, int64_t channels) {
  const tflite::TensorT& ti = b.tensor(in);
  const tflite::TensorT& tw = b.tensor(w);
  if (IsQuantizedType(ti.type) && tw.quantization && !tw.quantization->scale.empty()) {
    Tensor t(DataType::kInt32, {channels});
    QuantParams q;
    for (float s : tw.quantization->scale) q.scale.push_back(ti.quantization->scale[0] * s);
    q.zero_point.assign(q.scale.size(), 0);
    return b.AddConstTensor(name + "_bias", t, q, 0);
  }
  return b.AddConstTensor(name + "_bias", Tensor(DataType::kFloat32, {channels}), {}, -1);
}

// A 1-D convolution's [N, C, L] activation as the [N, 1, L, C] a 2-D TFLite
// convolution reads: TRANSPOSE then EXPAND_DIMS, as TFLite's converter writes
// a Keras Conv1D (whose NWC input needs no transpose).
int EmitConv1DInput(TfliteBuilder& b, int in, const ir::TensorType& xt, const std::string& name) {
  const int64_t n = xt.dims[0], c = xt.dims[1], l = xt.dims[2];
  const int nlc = AddTensorShaped(b, name + "_nlc", in, {n, l, c});
  b.AddOp(tflite::BuiltinOperator_TRANSPOSE, {in, b.AddInt32Const(name + "_nlc_perm", {0, 2, 1}, {3})},
          {nlc});
  const int nhwc = AddTensorShaped(b, name + "_nhwc", in, {n, 1, l, c});
  b.AddOp(tflite::BuiltinOperator_EXPAND_DIMS, {nlc, b.AddInt32Const(name + "_nhwc_axis", {1}, {1})}, {nhwc},
          Options(tflite::ExpandDimsOptionsT{}));
  return nhwc;
}

// The way back: the convolution's [N, 1, L', M] to the IR's [N, M, L'] (SQUEEZE, TRANSPOSE).
void EmitConv1DOutput(TfliteBuilder& b, int conv_out, int out, const ir::TensorType& yt) {
  const std::string& name = b.tensor(out).name;
  const int nlm = AddTensorShaped(b, name + "_nlm", out, {yt.dims[0], yt.dims[2], yt.dims[1]});
  tflite::SqueezeOptionsT so;
  so.squeeze_dims = {1};
  b.AddOp(tflite::BuiltinOperator_SQUEEZE, {conv_out}, {nlm}, Options(std::move(so)));
  b.AddOp(tflite::BuiltinOperator_TRANSPOSE, {nlm, b.AddInt32Const(name + "_perm", {0, 2, 1}, {3})}, {out});
}

Status ExportConv(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ir::TensorType& xt = g.value(n.input(0)).type;
  const ir::TensorType& wt = g.value(n.input(1)).type;
  const ir::TensorType& yt = g.value(n.outputs[0]).type;
  if (!xt.rank_known || (xt.rank() != 3 && xt.rank() != 4)) {
    return Unsupported("only 1-D and 2-D convolutions have a TFLite form");
  }
  const bool conv1d = xt.rank() == 3;
  if (!IsConstDerived(g, n.input(1))) return Unsupported("weights that are not constant");
  ops::ConvShape cs;
  QF_RETURN_IF_ERROR(ops::ResolveConvShape(n.attrs, xt.dims, wt.dims, &cs));
  const bool depthwise = cs.group > 1 && cs.group == cs.in_channels && wt.dims[1] == 1;
  if (cs.group > 1 && !depthwise) {
    return Unsupported("grouped convolution (group " + std::to_string(cs.group) +
                       ", not depthwise) has no TFLite builtin");
  }
  if (conv1d) {
    // A 1-D window is the width of a 2-D one whose height is 1.
    ops::WindowGeometry& w = cs.window;
    for (std::vector<int64_t>* v : {&w.in, &w.out, &w.kernel, &w.strides, &w.dilations})
      v->insert(v->begin(), 1);
    for (std::vector<int64_t>* v : {&w.pad_begin, &w.pad_end}) v->insert(v->begin(), 0);
    if (!yt.rank_known || yt.rank() != 3 || yt.dims[1] < 0 || yt.dims[2] < 0) {
      return Unsupported("a 1-D convolution needs static channels and length (pin them with --input-shape)");
    }
  }
  PaddingPlan pad;
  QF_RETURN_IF_ERROR(PlanPadding(cs.window, &pad));
  QF_ASSIGN_OR_RETURN(int in, b.Input(n.input(0)));
  if (conv1d) in = EmitConv1DInput(b, in, xt, g.value(n.input(0)).name);
  if (pad.explicit_pad) in = EmitSpatialPad(b, in, pad, g.value(n.input(0)).name, nullptr);
  ConstTransform wtr;
  // 1-D weights [M, C/g, K] are the 2-D [M, C/g, 1, K].
  if (conv1d) wtr.pre_shape = {wt.dims[0], wt.dims[1], 1, wt.dims[2]};
  wtr.perm = depthwise ? std::vector<int>{1, 2, 3, 0} : std::vector<int>{0, 2, 3, 1};
  QF_ASSIGN_OR_RETURN(const int w, b.ConstInput(n.input(1), wtr));
  int bias = -1;
  if (n.input(2) != ir::kNoValue) {
    QF_ASSIGN_OR_RETURN(bias, b.Input(n.input(2)));
  } else {
    bias = ZeroBias(b, n.name, in, w, cs.out_channels);
  }
  QF_ASSIGN_OR_RETURN(const int y, b.Output(n.outputs[0]));
  const int out =
      conv1d ? AddTensorShaped(b, b.tensor(y).name + "_nhwc", y, {yt.dims[0], 1, yt.dims[2], yt.dims[1]}) : y;
  tflite::ActivationFunctionType act;
  quant::ActivationRange clamp;
  const int op_out = PlanActivation(b, n, out, &act, &clamp);
  const auto& dil = cs.window.dilations;
  const auto& st = cs.window.strides;
  // Conv2DOptions and DepthwiseConv2DOptions share these fields.
  auto emit = [&](tflite::BuiltinOperator code, auto o) {
    o.padding = pad.padding;
    o.stride_h = static_cast<int32_t>(st[0]);
    o.stride_w = static_cast<int32_t>(st[1]);
    o.fused_activation_function = act;
    o.dilation_h_factor = static_cast<int32_t>(dil[0]);
    o.dilation_w_factor = static_cast<int32_t>(dil[1]);
    TfliteOpSig sig = b.MakeSig(code, {in, w, bias}, {op_out});
    sig.dilation_h = o.dilation_h_factor;
    sig.dilation_w = o.dilation_w_factor;
    sig.fused_activation = act != tflite::ActivationFunctionType_NONE;
    b.AddOp(code, {in, w, bias}, {op_out}, Options(std::move(o)), sig);
  };
  if (depthwise) {
    tflite::DepthwiseConv2DOptionsT o;
    o.depth_multiplier = static_cast<int32_t>(cs.out_channels / cs.in_channels);
    emit(tflite::BuiltinOperator_DEPTHWISE_CONV_2D, std::move(o));
  } else {
    emit(tflite::BuiltinOperator_CONV_2D, tflite::Conv2DOptionsT{});
  }
  FinishActivation(b, op_out, out, clamp);
  if (conv1d) EmitConv1DOutput(b, out, y, yt);
  return Status::Ok();
}

// ConvTranspose: TRANSPOSE_CONV(output_shape, weights [M, kh, kw, C], input,
// bias). TFLite pads only as SAME (out = in * s, TFLite's split of the
// cropped border) or VALID (nothing cropped).
Status ExportConvTranspose(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ir::TensorType& xt = g.value(n.input(0)).type;
  const ir::TensorType& wt = g.value(n.input(1)).type;
  const ir::TensorType& yt = g.value(n.outputs[0]).type;
  if (!xt.rank_known || xt.rank() != 4 || !yt.rank_known || yt.rank() != 4) {
    return Unsupported("only 2-D transposed convolutions exist in TFLite");
  }
  for (int i = 1; i < 4; ++i) {
    if (xt.dims[static_cast<size_t>(i)] < 0 || yt.dims[static_cast<size_t>(i)] < 0) {
      return Unsupported("TRANSPOSE_CONV needs static channels and spatial dims (input " + xt.ToString() +
                         ", output " + yt.ToString() + ")");
    }
  }
  // A dynamic batch is written as 1, as every other tensor's (its
  // shape_signature keeps -1); TFLite's output_shape operand is a constant.
  const int32_t batch = yt.dims[0] < 0 ? 1 : static_cast<int32_t>(yt.dims[0]);
  if (n.attrs.GetInt("group", 1) != 1) return Unsupported("grouped transposed convolution");
  if (!IsConstDerived(g, n.input(1))) return Unsupported("weights that are not constant");
  std::vector<int64_t> kernel;
  QF_RETURN_IF_ERROR(ops::ResolveKernelShape(n.attrs, {wt.dims[2], wt.dims[3]}, &kernel));
  ops::WindowAttrs wa;
  QF_RETURN_IF_ERROR(ops::ParseWindowAttrs(n.attrs, kernel, &wa));
  ops::WindowGeometry w;
  QF_RETURN_IF_ERROR(ops::ResolveTransposedWindow(
      wa, {xt.dims[2], xt.dims[3]}, n.attrs.GetInts("output_padding"), n.attrs.GetInts("output_shape"), &w));
  bool valid = true, same = true;
  for (size_t i = 0; i < 2; ++i) {
    if (w.dilations[i] != 1) return Unsupported("dilated transposed convolution");
    const int64_t full = (w.in[i] - 1) * w.strides[i] + w.kernel[i];
    valid = valid && w.out[i] == full && w.pad_begin[i] == 0;
    const int64_t total = std::max<int64_t>(0, full - w.out[i]);
    same = same && w.out[i] == w.in[i] * w.strides[i] && w.pad_begin[i] == total / 2;
  }
  if (!valid && !same) return Unsupported("transposed convolution padding that is neither SAME nor VALID");
  QF_ASSIGN_OR_RETURN(const int in, b.Input(n.input(0)));
  ConstTransform wtr;
  wtr.perm = {1, 2, 3, 0};  // [C, M, kh, kw] -> [M, kh, kw, C]
  QF_ASSIGN_OR_RETURN(const int wi, b.ConstInput(n.input(1), wtr));
  int bias = -1;
  if (n.input(2) != ir::kNoValue) {
    QF_ASSIGN_OR_RETURN(bias, b.Input(n.input(2)));
  }
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  const int shape = b.AddInt32Const(b.tensor(out).name + "_output_shape",
                                    {batch, static_cast<int32_t>(yt.dims[2]),
                                     static_cast<int32_t>(yt.dims[3]), static_cast<int32_t>(yt.dims[1])},
                                    {4});
  tflite::ActivationFunctionType act;
  quant::ActivationRange clamp;
  const int op_out = PlanActivation(b, n, out, &act, &clamp);
  tflite::TransposeConvOptionsT o;
  o.padding = valid ? tflite::Padding_VALID : tflite::Padding_SAME;
  o.stride_h = static_cast<int32_t>(w.strides[0]);
  o.stride_w = static_cast<int32_t>(w.strides[1]);
  o.fused_activation_function = act;
  TfliteOpSig sig = b.MakeSig(tflite::BuiltinOperator_TRANSPOSE_CONV, {shape, wi, in, bias}, {op_out});
  sig.fused_activation = act != tflite::ActivationFunctionType_NONE;
  std::vector<int32_t> inputs = {shape, wi, in};
  if (bias >= 0) inputs.push_back(bias);
  b.AddOp(tflite::BuiltinOperator_TRANSPOSE_CONV, inputs, {op_out}, Options(std::move(o)), sig);
  FinishActivation(b, op_out, out, clamp);
  return Status::Ok();
}

Status ExportPool(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ir::TensorType& xt = g.value(n.input(0)).type;
  if (!xt.rank_known || xt.rank() != 4) return Unsupported("only 2-D pooling exists in TFLite");
  ops::WindowAttrs wa;
  QF_RETURN_IF_ERROR(ops::ParseWindowAttrs(n.attrs, n.attrs.GetInts("kernel_shape"), &wa));
  ops::WindowGeometry w;
  QF_RETURN_IF_ERROR(ops::ResolveForwardWindow(wa, {xt.dims[2], xt.dims[3]}, &w));
  if (w.dilations[0] != 1 || w.dilations[1] != 1) return Unsupported("dilated pooling");
  PaddingPlan pad;
  QF_RETURN_IF_ERROR(PlanPadding(w, &pad));
  const bool is_max = n.op == OpKind::kMaxPool;
  const bool count_pad = n.attrs.GetInt("count_include_pad", 0) != 0;
  if (!is_max && pad.padding == tflite::Padding_SAME && count_pad) {
    // TFLite's SAME average excludes the padding from the count.
    pad.padding = tflite::Padding_VALID;
    pad.explicit_pad = true;
  }
  if (!is_max && pad.explicit_pad &&
      (!count_pad || pad.end[0] != w.pad_end[0] || pad.end[1] != w.pad_end[1])) {
    return Unsupported(
        "average pooling whose padding is neither TFLite's SAME nor counted (count_include_pad)");
  }
  QF_ASSIGN_OR_RETURN(int in, b.Input(n.input(0)));
  const float lowest = -std::numeric_limits<float>::infinity();
  if (pad.explicit_pad) in = EmitSpatialPad(b, in, pad, g.value(n.input(0)).name, is_max ? &lowest : nullptr);
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  tflite::Pool2DOptionsT o;
  o.padding = pad.padding;
  o.stride_h = static_cast<int32_t>(w.strides[0]);
  o.stride_w = static_cast<int32_t>(w.strides[1]);
  o.filter_height = static_cast<int32_t>(w.kernel[0]);
  o.filter_width = static_cast<int32_t>(w.kernel[1]);
  const BuiltinOperator op =
      is_max ? tflite::BuiltinOperator_MAX_POOL_2D : tflite::BuiltinOperator_AVERAGE_POOL_2D;
  b.AddOp(op, {in}, {out}, Options(std::move(o)));
  return Status::Ok();
}

Status ExportGlobalPool(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  if (g.value(n.input(0)).type.rank() != 4) return Unsupported("only 2-D global pooling");
  QF_ASSIGN_OR_RETURN(const int in, b.Input(n.input(0)));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  const int axes = b.AddInt32Const(b.tensor(out).name + "_axes", {1, 2}, {2});
  tflite::ReducerOptionsT o;
  o.keep_dims = true;
  const BuiltinOperator op =
      n.op == OpKind::kGlobalAveragePool ? tflite::BuiltinOperator_MEAN : tflite::BuiltinOperator_REDUCE_MAX;
  b.AddOp(op, {in, axes}, {out}, Options(std::move(o)));
  return Status::Ok();
}

}  // namespace

bool ExportConvOrPool(TfliteBuilder& b, ir::NodeId id, Status* status) {
  const Node& n = b.graph().node(id);
  switch (n.op) {
    case OpKind::kConv:
      *status = ExportConv(b, n);
      return true;
    case OpKind::kConvTranspose:
      *status = ExportConvTranspose(b, n);
      return true;
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
      *status = ExportPool(b, n);
      return true;
    case OpKind::kGlobalAveragePool:
    case OpKind::kGlobalMaxPool:
      *status = ExportGlobalPool(b, n);
      return true;
    default:
      return false;
  }
}

}  // namespace qforge::io
