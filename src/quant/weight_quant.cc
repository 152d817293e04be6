#include "quant/weight_quant.h"

#include <algorithm>
#include <cmath>

#include "qscheme/arithmetic.h"

namespace qforge::quant {

namespace {

// Splits dims into [outer, channels, inner] around `axis`.
void SplitAxis(const std::vector<int64_t>& dims, int axis, int64_t* outer, int64_t* channels,
               int64_t* inner) {
  *outer = 1;
  *channels = 1;
  *inner = 1;
  for (int i = 0; i < static_cast<int>(dims.size()); ++i) {
    if (i < axis) *outer *= dims[static_cast<size_t>(i)];
    if (i == axis) *channels = dims[static_cast<size_t>(i)];
    if (i > axis) *inner *= dims[static_cast<size_t>(i)];
  }
}

Status CheckFiniteFloat(const Tensor& t, const char* what) {
  if (t.dtype() != DataType::kFloat32) return InvalidArgument(std::string(what) + " is not float32");
  for (float v : t.span<float>()) {
    if (!std::isfinite(v)) return InvalidArgument(std::string(what) + " contains NaN or Inf");
  }
  return Status::Ok();
}

template <typename T>
void Store(Tensor* t, size_t i, int32_t q) {
  t->data<T>()[i] = static_cast<T>(q);
}

}  // namespace

Result<Tensor> QuantizeTensor(const Tensor& t, const QuantParams& params, DataType dtype) {
  QF_RETURN_IF_ERROR(CheckFiniteFloat(t, "tensor"));
  QF_ASSIGN_OR_RETURN(QuantLimits lim, LimitsOf(dtype, /*narrow_range=*/false));
  if (dtype == DataType::kInt32) lim = {INT32_MIN, INT32_MAX};
  int64_t outer = 1, channels = 1, inner = t.num_elements();
  if (params.per_axis()) {
    if (params.axis >= t.rank()) return InvalidArgument("quantization axis out of range");
    SplitAxis(t.dims(), params.axis, &outer, &channels, &inner);
  }
  if (static_cast<int64_t>(params.scale.size()) != channels ||
      params.zero_point.size() != params.scale.size()) {
    return InvalidArgument("quantization parameters do not match the tensor's axis");
  }
  Tensor q(dtype, t.dims());
  q.set_quant(params);
  const float* in = t.data<float>();
  size_t i = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const float s = params.scale[static_cast<size_t>(c)];
      const int32_t z = static_cast<int32_t>(params.zero_point[static_cast<size_t>(c)]);
      for (int64_t j = 0; j < inner; ++j, ++i) {
        const int32_t v = QuantizeValue(in[i], s, z, lim.qmin, lim.qmax, RoundingRule::kHalfAwayFromZero);
        switch (dtype) {
          case DataType::kInt8:
            Store<int8_t>(&q, i, v);
            break;
          case DataType::kUInt8:
            Store<uint8_t>(&q, i, v);
            break;
          case DataType::kInt16:
            Store<int16_t>(&q, i, v);
            break;
          case DataType::kInt32:
            Store<int32_t>(&q, i, v);
            break;
          default:
            return Unsupported(std::string("cannot quantize to ") + DataTypeName(dtype));
        }
      }
    }
  }
  return q;
}

Result<Tensor> QuantizeWeightSymmetric(const Tensor& w, int axis) {
  QF_RETURN_IF_ERROR(CheckFiniteFloat(w, "weight"));
  int64_t outer = 1, channels = 1, inner = w.num_elements();
  if (axis >= 0) {
    if (axis >= w.rank()) return InvalidArgument("weight quantization axis out of range");
    SplitAxis(w.dims(), axis, &outer, &channels, &inner);
  }
  std::vector<float> absmax(static_cast<size_t>(channels), 0.0f);
  const float* in = w.data<float>();
  size_t i = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t j = 0; j < inner; ++j, ++i) {
        absmax[static_cast<size_t>(c)] = std::max(absmax[static_cast<size_t>(c)], std::fabs(in[i]));
      }
    }
  }
  QuantParams params;
  params.axis = axis;
  for (float m : absmax) {
    QF_ASSIGN_OR_RETURN(AffineParams p, ChooseQuantParams(-m, m, -127, 127, /*symmetric=*/true));
    params.scale.push_back(p.scale);
    params.zero_point.push_back(0);
  }
  // Quantize within [-127, 127] (narrow range), not the full int8 range.
  Tensor q(DataType::kInt8, w.dims());
  q.set_quant(params);
  i = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const float s = params.scale[static_cast<size_t>(c)];
      for (int64_t j = 0; j < inner; ++j, ++i) {
        q.data<int8_t>()[i] =
            static_cast<int8_t>(QuantizeValue(in[i], s, 0, -127, 127, RoundingRule::kHalfAwayFromZero));
      }
    }
  }
  return q;
}

Result<Tensor> QuantizeConstantAsymmetric(const Tensor& t, DataType dtype) {
  QF_RETURN_IF_ERROR(CheckFiniteFloat(t, "constant"));
  float lo = 0.0f, hi = 0.0f;
  for (float v : t.span<float>()) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  QF_ASSIGN_OR_RETURN(QuantLimits lim, LimitsOf(dtype));
  QF_ASSIGN_OR_RETURN(AffineParams p, ChooseQuantParams(lo, hi, lim.qmin, lim.qmax, /*symmetric=*/false));
  QuantParams params;
  params.scale = {p.scale};
  params.zero_point = {p.zero_point};
  return QuantizeTensor(t, params, dtype);
}

Result<Tensor> QuantizeBias(const Tensor& bias, float input_scale, std::span<const float> weight_scales) {
  QF_RETURN_IF_ERROR(CheckFiniteFloat(bias, "bias"));
  const int64_t n = bias.num_elements();
  if (weight_scales.size() != 1 && static_cast<int64_t>(weight_scales.size()) != n) {
    return InvalidArgument("bias has " + std::to_string(n) + " elements but the weights have " +
                           std::to_string(weight_scales.size()) + " scales");
  }
  QuantParams params;
  params.axis = weight_scales.size() == 1 ? -1 : 0;
  for (float ws : weight_scales) {
    params.scale.push_back(input_scale * ws);
    params.zero_point.push_back(0);
  }
  Tensor q(DataType::kInt32, bias.dims());
  q.set_quant(params);
  for (int64_t i = 0; i < n; ++i) {
    const double s =
        static_cast<double>(params.scale[weight_scales.size() == 1 ? 0 : static_cast<size_t>(i)]);
    if (s == 0.0) continue;  // underflowed scale: the bias cannot be represented, keep 0
    const double r =
        RoundToIntegral(static_cast<double>(bias.data<float>()[i]) / s, RoundingRule::kHalfAwayFromZero);
    q.data<int32_t>()[i] = static_cast<int32_t>(std::clamp(r, double{INT32_MIN}, double{INT32_MAX}));
  }
  return q;
}

Result<Tensor> ToFloat16(const Tensor& t) {
  QF_RETURN_IF_ERROR(CheckFiniteFloat(t, "weight"));
  Tensor h(DataType::kFloat16, t.dims());
  const float* in = t.data<float>();
  uint16_t* out = h.data<uint16_t>();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    out[i] = FloatToHalf(in[i]);
    if (!std::isfinite(HalfToFloat(out[i]))) {
      return Unsupported("weight value " + std::to_string(in[i]) + " is outside the float16 range");
    }
  }
  return h;
}

}  // namespace qforge::quant
