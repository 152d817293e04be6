#include "layer_bench_layers.h"

#include <cmath>
#include <sstream>

#include "ops/conv_attrs.h"
#include "qscheme/arithmetic.h"
#include "qscheme/fused_activation.h"

namespace qforge::bench {

namespace {

Status Unsupported(const ir::Graph& g, const ir::Node& n, const std::string& why) {
  return Status(StatusCode::kUnsupported, g.Describe(n) + ": " + why);
}

// The static dims of a value with a dynamic batch dim taken as 1.
bool BatchOneDims(const ir::Value& v, std::vector<int64_t>* dims) {
  if (!v.type.rank_known || v.type.dims.empty()) return false;
  *dims = v.type.dims;
  if ((*dims)[0] == ir::kDynamicDim) (*dims)[0] = 1;
  for (int64_t d : *dims) {
    if (d < 0) return false;
  }
  return (*dims)[0] == 1;
}

const QuantParams& QuantOf(const ir::Value& v) {
  return v.is_constant() && !v.constant->quant().empty() ? v.constant->quant() : v.type.quant;
}

// Activation type, activation quant params and the output clamp.
Status ReadActivations(const ir::Graph& g, const ir::Node& n, Layer* l) {
  const ir::Value& x = g.value(n.inputs[0]);
  const ir::Value& y = g.value(n.outputs[0]);
  const quant::ActivationRange act = quant::FusedActivation(n);
  if (x.type.dtype == DataType::kFloat32 && y.type.dtype == DataType::kFloat32) {
    l->type = LayerType::kF32;
    l->f_min = act.min;
    l->f_max = act.max;
    return Status::Ok();
  }
  if (x.type.dtype != y.type.dtype || (x.type.dtype != DataType::kInt8 && x.type.dtype != DataType::kUInt8)) {
    return Unsupported(g, n, "activations " + x.type.ToString() + " -> " + y.type.ToString());
  }
  const QuantParams& xq = x.type.quant;
  const QuantParams& yq = y.type.quant;
  if (xq.scale.size() != 1 || yq.scale.size() != 1 || xq.zero_point.size() != 1 ||
      yq.zero_point.size() != 1) {
    return Unsupported(g, n, "activations are not quantized per tensor");
  }
  l->type = x.type.dtype == DataType::kInt8 ? LayerType::kS8 : LayerType::kU8;
  l->x_scale = xq.scale[0];
  l->x_zero_point = static_cast<int32_t>(xq.zero_point[0]);
  l->y_scale = yq.scale[0];
  l->y_zero_point = static_cast<int32_t>(yq.zero_point[0]);
  QF_ASSIGN_OR_RETURN(const quant::QuantLimits type_limits, quant::LimitsOf(y.type.dtype));
  const quant::QuantLimits lim =
      quant::QuantizedActivationLimits(act, l->y_scale, l->y_zero_point, type_limits);
  l->q_min = lim.qmin;
  l->q_max = lim.qmax;
  return Status::Ok();
}

// Weight values [O, I, kh, kw] from a constant laid out as `w` (OIHW, or a
// Gemm's [K, N] when `transposed`), scales and bias.
Status ReadParams(const ir::Graph& g, const ir::Node& n, bool transposed, Layer* l) {
  const ir::Value& wv = g.value(n.inputs[1]);
  if (!wv.is_constant()) return Unsupported(g, n, "weights are not a constant");
  const Tensor& w = *wv.constant;
  const int64_t count = w.num_elements();
  const int64_t per_out = count / l->out_channels;
  // Index in `w` of OIHW element (o, rest).
  auto src_index = [&](int64_t o, int64_t rest) {
    return transposed ? rest * l->out_channels + o : o * per_out + rest;
  };
  if (l->type == LayerType::kF32) {
    if (w.dtype() != DataType::kFloat32) return Unsupported(g, n, "float layer with non-float32 weights");
    l->weights_f32.resize(static_cast<size_t>(count));
    for (int64_t o = 0; o < l->out_channels; ++o) {
      for (int64_t r = 0; r < per_out; ++r)
        l->weights_f32[o * per_out + r] = w.data<float>()[src_index(o, r)];
    }
  } else {
    const QuantParams& wq = QuantOf(wv);
    if (w.dtype() != DataType::kInt8 || wq.empty())
      return Unsupported(g, n, "weights are not quantized int8");
    for (int64_t z : wq.zero_point) {
      if (z != 0) return Unsupported(g, n, "weight zero point is not 0");
    }
    l->weights_s8.resize(static_cast<size_t>(count));
    for (int64_t o = 0; o < l->out_channels; ++o) {
      for (int64_t r = 0; r < per_out; ++r)
        l->weights_s8[o * per_out + r] = w.data<int8_t>()[src_index(o, r)];
    }
    l->per_channel = wq.scale.size() > 1;
    if (l->per_channel && wq.scale.size() != static_cast<size_t>(l->out_channels)) {
      return Unsupported(g, n, "weight scales do not match the output channels");
    }
    l->w_scales.resize(static_cast<size_t>(l->out_channels));
    for (int o = 0; o < l->out_channels; ++o) l->w_scales[o] = wq.scale[l->per_channel ? o : 0];
  }
  l->bias_f32.assign(static_cast<size_t>(l->out_channels), 0.0f);
  l->bias_s32.assign(static_cast<size_t>(l->out_channels), 0);
  if (n.input(2) == ir::kNoValue) return Status::Ok();
  const ir::Value& bv = g.value(n.inputs[2]);
  if (!bv.is_constant() || bv.constant->num_elements() != l->out_channels) {
    return Unsupported(g, n, "bias is not a constant with one value per output channel");
  }
  const Tensor& b = *bv.constant;
  if (l->type == LayerType::kF32 && b.dtype() == DataType::kFloat32) {
    for (int o = 0; o < l->out_channels; ++o) l->bias_f32[o] = b.data<float>()[o];
  } else if (l->type != LayerType::kF32 && b.dtype() == DataType::kInt32) {
    for (int o = 0; o < l->out_channels; ++o) {
      l->bias_s32[o] = b.data<int32_t>()[o];
      l->bias_f32[o] = static_cast<float>(l->bias_s32[o]);
    }
  } else {
    return Unsupported(g, n, "bias type " + bv.type.ToString() + " does not match the layer");
  }
  return Status::Ok();
}

Result<Layer> ConvLayer(const ir::Graph& g, const ir::Node& n) {
  Layer l;
  l.name = n.name;
  std::vector<int64_t> x_dims;
  const ir::Value& wv = g.value(n.inputs[1]);
  if (!BatchOneDims(g.value(n.inputs[0]), &x_dims) || x_dims.size() != 4 || !wv.is_constant()) {
    return Unsupported(g, n, "not a 2-D convolution with static input dims and constant weights");
  }
  ops::ConvShape s;
  Status st = ops::ResolveConvShape(n.attrs, x_dims, wv.constant->dims(), &s);
  if (!st.ok()) return Unsupported(g, n, st.message());
  const ops::WindowGeometry& w = s.window;
  l.in_channels = static_cast<int>(s.in_channels);
  l.out_channels = static_cast<int>(s.out_channels);
  l.groups = static_cast<int>(s.group);
  l.in_h = static_cast<int>(w.in[0]);
  l.in_w = static_cast<int>(w.in[1]);
  l.out_h = static_cast<int>(w.out[0]);
  l.out_w = static_cast<int>(w.out[1]);
  l.kernel_h = static_cast<int>(w.kernel[0]);
  l.kernel_w = static_cast<int>(w.kernel[1]);
  l.stride_h = static_cast<int>(w.strides[0]);
  l.stride_w = static_cast<int>(w.strides[1]);
  l.dilation_h = static_cast<int>(w.dilations[0]);
  l.dilation_w = static_cast<int>(w.dilations[1]);
  l.pad_top = static_cast<int>(w.pad_begin[0]);
  l.pad_left = static_cast<int>(w.pad_begin[1]);
  l.pad_bottom = static_cast<int>(w.pad_end[0]);
  l.pad_right = static_cast<int>(w.pad_end[1]);
  QF_RETURN_IF_ERROR(ReadActivations(g, n, &l));
  QF_RETURN_IF_ERROR(ReadParams(g, n, /*transposed=*/false, &l));
  return l;
}

Result<Layer> GemmLayer(const ir::Graph& g, const ir::Node& n) {
  Layer l;
  l.name = n.name;
  l.is_gemm = true;
  std::vector<int64_t> a_dims;
  const ir::Value& bv = g.value(n.inputs[1]);
  if (!BatchOneDims(g.value(n.inputs[0]), &a_dims) || a_dims.size() != 2 || !bv.is_constant() ||
      bv.constant->rank() != 2) {
    return Unsupported(g, n, "not a Gemm of a [1, K] activation by a constant matrix");
  }
  if (n.attrs.GetInt("transA", 0) != 0 || n.attrs.GetFloat("alpha", 1.0f) != 1.0f ||
      n.attrs.GetFloat("beta", 1.0f) != 1.0f) {
    return Unsupported(g, n, "transA or alpha/beta other than 1");
  }
  const bool trans_b = n.attrs.GetInt("transB", 0) != 0;
  l.in_channels = static_cast<int>(a_dims[1]);
  l.out_channels = static_cast<int>(bv.constant->dim(trans_b ? 0 : 1));
  if (bv.constant->dim(trans_b ? 1 : 0) != l.in_channels) return Unsupported(g, n, "B does not match A");
  l.in_h = l.in_w = l.out_h = l.out_w = 1;
  QF_RETURN_IF_ERROR(ReadActivations(g, n, &l));
  QF_RETURN_IF_ERROR(ReadParams(g, n, /*transposed=*/!trans_b, &l));
  return l;
}

}  // namespace

const char* LayerTypeName(LayerType t) {
  switch (t) {
    case LayerType::kF32:
      return "f32";
    case LayerType::kS8:
      return "s8";
    case LayerType::kU8:
      return "u8";
  }
  return "?";
}

int64_t Layer::Macs() const {
  return static_cast<int64_t>(out_h) * out_w * out_channels * (in_channels / groups) * kernel_h * kernel_w;
}

std::string Layer::ShapeString() const {
  std::ostringstream s;
  if (is_gemm) {
    s << "fc " << in_channels << "->" << out_channels;
    return s.str();
  }
  s << kernel_h << "x" << kernel_w;
  if (stride_h != 1 || stride_w != 1) s << "/" << stride_h;
  s << " " << in_channels << "->" << out_channels << " @" << in_h << "x" << in_w;
  if (depthwise()) {
    s << " dw";
  } else if (groups > 1) {
    s << " g" << groups;
  }
  return s.str();
}

Result<std::vector<Layer>> ExtractLayers(const ir::Graph& g) {
  std::vector<Layer> layers;
  for (const ir::Node& n : g.nodes) {
    if (n.removed) continue;
    if (n.op == OpKind::kConv) {
      QF_ASSIGN_OR_RETURN(Layer l, ConvLayer(g, n));
      layers.push_back(std::move(l));
    } else if (n.op == OpKind::kGemm) {
      QF_ASSIGN_OR_RETURN(Layer l, GemmLayer(g, n));
      layers.push_back(std::move(l));
    } else {
      continue;
    }
    layers.back().rule = g.requantization;
  }
  return layers;
}

}  // namespace qforge::bench
