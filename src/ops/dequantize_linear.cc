// DequantizeLinear(x, x_scale, x_zero_point?) -> y float32: y = (x - x_zero_point) * x_scale.
// Per-tensor (scalar or [1] scale) or per-axis (1-D scale along `axis`,
// default 1). x is int8, uint8, int16 or int32; the zero point has x's dtype.
// Blocked dequantization (opset 21 block_size) is not implemented.
#include "ops/infer.h"
#include "ops/op_table.h"
#include "ops/qparams_check.h"

namespace qforge::ops::dequantize_linear {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(
      RequireDtype(ctx, 0, {DataType::kUInt8, DataType::kInt8, DataType::kInt16, DataType::kInt32}));
  if (ctx.attrs().GetInt("block_size", 0) != 0) return ctx.Unsupported("blocked dequantization (block_size)");
  const ir::TensorType& x = ctx.input(0);
  QuantGranularity granularity{.per_tensor_only = false, .channels = ir::kDynamicDim};
  if (ctx.input(1).rank_known && !IsPerTensorType(ctx.input(1)) && x.rank_known) {
    int axis = 0;
    QF_RETURN_IF_ERROR(NormalizeAxis(ctx, ctx.attrs().GetInt("axis", 1), x.rank(), &axis));
    granularity.channels = x.dims[static_cast<size_t>(axis)];
  }
  QF_RETURN_IF_ERROR(CheckScaleAndZeroPoint(ctx, 1, 2, granularity, {x.dtype}, "x"));
  ctx.outputs[0] = x;
  ctx.outputs[0].dtype = DataType::kFloat32;
  ctx.outputs[0].quant = {};
  return Status::Ok();
}

OpFacts RefineFacts(const OpFacts& row, const ir::Graph& g, const ir::Node& n) {
  // Shifting the zero point with the data is exact only where it is a constant.
  OpFacts f = row;
  const ir::ValueId zp = n.input(2);
  f.shift_exact = zp == ir::kNoValue || g.value(zp).is_constant() ? Fact::kYes : Fact::kNo;
  return f;
}

}  // namespace qforge::ops::dequantize_linear
