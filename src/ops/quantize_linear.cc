// QuantizeLinear(x, y_scale, y_zero_point?) -> y: y = saturate(round_half_even(x / y_scale) + y_zero_point).
// Per-tensor (scalar or [1] scale) or per-axis (1-D scale along `axis`,
// default 1). y's dtype is the zero point's (uint8 when it is absent).
// Blocked quantization (opset 21 block_size) is not implemented.
#include <string>

#include "ops/infer.h"
#include "ops/op_table.h"
#include "ops/qparams_check.h"

namespace qforge::ops::quantize_linear {

namespace {
// ONNX TensorProto.DataType values of the output_dtype attribute (opset 21).
constexpr int64_t kOnnxUInt8 = 2;
constexpr int64_t kOnnxInt8 = 3;
constexpr int64_t kOnnxInt16 = 5;

Status OutputDtype(const InferContext& ctx, DataType* out) {
  *out = ctx.has_input(2) ? ctx.input(2).dtype : DataType::kUInt8;
  const int64_t attr = ctx.attrs().GetInt("output_dtype", 0);
  if (attr == 0) return Status::Ok();
  DataType from_attr = DataType::kUndefined;
  if (attr == kOnnxUInt8) from_attr = DataType::kUInt8;
  if (attr == kOnnxInt8) from_attr = DataType::kInt8;
  if (attr == kOnnxInt16) from_attr = DataType::kInt16;
  if (from_attr == DataType::kUndefined) {
    return ctx.Unsupported("output_dtype " + std::to_string(attr) +
                           " (only uint8, int8, int16 are supported)");
  }
  if (ctx.has_input(2) && from_attr != *out) {
    return ctx.Invalid("output_dtype " + std::string(DataTypeName(from_attr)) +
                       " differs from y_zero_point's " + DataTypeName(*out));
  }
  *out = from_attr;
  return Status::Ok();
}
}  // namespace

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32}));
  if (ctx.attrs().GetInt("block_size", 0) != 0) return ctx.Unsupported("blocked quantization (block_size)");
  DataType out_dtype;
  QF_RETURN_IF_ERROR(OutputDtype(ctx, &out_dtype));
  if (ctx.has_input(2))
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 2, {DataType::kUInt8, DataType::kInt8, DataType::kInt16}));
  const ir::TensorType& x = ctx.input(0);
  QuantGranularity granularity{.per_tensor_only = false, .channels = ir::kDynamicDim};
  int axis = -1;
  if (ctx.input(1).rank_known && !IsPerTensorType(ctx.input(1)) && x.rank_known) {
    QF_RETURN_IF_ERROR(NormalizeAxis(ctx, ctx.attrs().GetInt("axis", 1), x.rank(), &axis));
    granularity.channels = x.dims[static_cast<size_t>(axis)];
  }
  QF_RETURN_IF_ERROR(CheckScaleAndZeroPoint(ctx, 1, 2, granularity, {out_dtype}, "y"));
  ctx.outputs[0] = x;
  ctx.outputs[0].dtype = out_dtype;
  ctx.outputs[0].quant = KnownQuantParams(ctx, 1, 2, axis);
  return Status::Ok();
}

OpFacts RefineFacts(const OpFacts& row, const ir::Graph& g, const ir::Node& n) {
  // Shifting the zero point with the data is exact only where it is a constant.
  OpFacts f = row;
  const ir::ValueId zp = n.input(2);
  f.shift_exact = zp == ir::kNoValue || g.value(zp).is_constant() ? Fact::kYes : Fact::kNo;
  return f;
}

}  // namespace qforge::ops::quantize_linear
