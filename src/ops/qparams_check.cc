#include "ops/qparams_check.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace qforge::ops {

namespace {
// Element count of a rank-known type, or -1 when a dim is dynamic.
int64_t KnownCount(const ir::TensorType& t) {
  if (!t.rank_known) return -1;
  int64_t n = 1;
  for (int64_t d : t.dims) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

// A known scale (an initializer, or folded) must be finite and positive:
// a NaN, infinite, zero or negative step makes every quantized value
// meaningless, and is the model's fault, not the data's that flows through it.
Status CheckScaleValues(const InferContext& ctx, size_t scale_index, const std::string& name) {
  const Tensor* scale = ctx.input_value(scale_index);
  if (scale == nullptr || scale->dtype() != DataType::kFloat32) return Status::Ok();
  const auto values = scale->span<float>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i]) && values[i] > 0) continue;
    const std::string at = values.size() > 1 ? "[" + std::to_string(i) + "]" : "";
    char value[32];
    std::snprintf(value, sizeof(value), "%g", static_cast<double>(values[i]));
    const std::string input =
        ctx.graph != nullptr ? " (input '" + ctx.graph->value(ctx.node->inputs[scale_index]).name + "')" : "";
    return ctx.Invalid(name + "_scale" + at + " is " + value + input + "; a scale must be finite and > 0");
  }
  return Status::Ok();
}
}  // namespace

bool IsPerTensorType(const ir::TensorType& t) {
  return t.rank_known && (t.dims.empty() || (t.dims.size() == 1 && t.dims[0] == 1));
}

Status CheckScaleAndZeroPoint(const InferContext& ctx, size_t scale_index, size_t zp_index,
                              QuantGranularity granularity, std::initializer_list<DataType> zp_dtypes,
                              const char* what) {
  const std::string name(what);
  if (!ctx.has_input(scale_index)) return ctx.Invalid(name + "_scale is required");
  const ir::TensorType& scale = ctx.input(scale_index);
  if (scale.dtype != DataType::kFloat32) {
    return ctx.Unsupported(name + "_scale has dtype " + DataTypeName(scale.dtype) +
                           ", only float32 is supported");
  }
  if (scale.rank_known && !IsPerTensorType(scale)) {
    if (granularity.per_tensor_only) {
      return ctx.Unsupported(name + "_scale has shape " + DimsToString(scale.dims) +
                             "; only a per-tensor (scalar) scale is supported for this operand");
    }
    if (scale.rank() != 1) {
      return ctx.Invalid(name + "_scale must be a scalar or 1-D, got shape " + DimsToString(scale.dims));
    }
    if (granularity.channels >= 0 && scale.dims[0] >= 0 && scale.dims[0] != granularity.channels) {
      return ctx.Invalid(name + "_scale has " + std::to_string(scale.dims[0]) + " elements, expected " +
                         std::to_string(granularity.channels));
    }
  }
  QF_RETURN_IF_ERROR(CheckScaleValues(ctx, scale_index, name));
  if (!ctx.has_input(zp_index)) return Status::Ok();
  const ir::TensorType& zp = ctx.input(zp_index);
  bool dtype_ok = false;
  for (DataType d : zp_dtypes) dtype_ok = dtype_ok || zp.dtype == d;
  if (!dtype_ok) {
    return ctx.Invalid(name + "_zero_point has dtype " + DataTypeName(zp.dtype) + ", expected " +
                       DataTypeName(*zp_dtypes.begin()));
  }
  const int64_t scale_count = KnownCount(scale);
  const int64_t zp_count = KnownCount(zp);
  if (scale_count >= 0 && zp_count >= 0 && scale_count != zp_count) {
    return ctx.Invalid(name + "_zero_point has " + std::to_string(zp_count) + " elements but " + name +
                       "_scale has " + std::to_string(scale_count));
  }
  return Status::Ok();
}

Status CheckZeroPoint(const InferContext& ctx, size_t index, size_t operand, QuantGranularity granularity,
                      const char* what) {
  if (!ctx.has_input(index)) return Status::Ok();
  const std::string name(what);
  const ir::TensorType& zp = ctx.input(index);
  if (zp.dtype != ctx.input(operand).dtype) {
    return ctx.Invalid(name + " has dtype " + DataTypeName(zp.dtype) + ", its operand " +
                       DataTypeName(ctx.input(operand).dtype));
  }
  if (!zp.rank_known || IsPerTensorType(zp)) return Status::Ok();
  if (granularity.per_tensor_only || zp.rank() != 1) {
    return ctx.Unsupported(name + " of shape " + DimsToString(zp.dims) +
                           (granularity.per_tensor_only ? " (only per-tensor is supported)"
                                                        : " (only scalar or 1-D is supported)"));
  }
  if (granularity.channels >= 0 && zp.dims[0] >= 0 && zp.dims[0] != granularity.channels) {
    return ctx.Invalid(name + " has " + std::to_string(zp.dims[0]) + " elements, expected " +
                       std::to_string(granularity.channels));
  }
  return Status::Ok();
}

QuantParams KnownQuantParams(const InferContext& ctx, size_t scale_index, size_t zp_index, int axis) {
  QuantParams q;
  const Tensor* scale = ctx.input_value(scale_index);
  const Tensor* zp = ctx.has_input(zp_index) ? ctx.input_value(zp_index) : nullptr;
  if (scale == nullptr || scale->dtype() != DataType::kFloat32 ||
      (ctx.has_input(zp_index) && zp == nullptr)) {
    return q;
  }
  const int64_t n = scale->num_elements();
  if (n < 1 || (zp != nullptr && zp->num_elements() != n)) return q;
  for (int64_t i = 0; i < n; ++i) {
    q.scale.push_back(scale->data<float>()[i]);
    int64_t z = 0;
    if (zp != nullptr) {
      switch (zp->dtype()) {
        case DataType::kInt8:
          z = zp->data<int8_t>()[i];
          break;
        case DataType::kUInt8:
          z = zp->data<uint8_t>()[i];
          break;
        case DataType::kInt16:
          z = zp->data<int16_t>()[i];
          break;
        case DataType::kInt32:
          z = zp->data<int32_t>()[i];
          break;
        default:
          return QuantParams{};
      }
    }
    q.zero_point.push_back(z);
  }
  q.axis = n > 1 ? axis : -1;
  return q;
}

}  // namespace qforge::ops
