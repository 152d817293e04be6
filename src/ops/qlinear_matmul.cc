// QLinearMatMul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
// y_zero_point) -> y: quantized numpy matmul. a, b, y are int8 or uint8
// (independently); a's parameters are per tensor or per row ([M]), b's per
// tensor or per column ([N]), y's per tensor. y has y_zero_point's dtype.
#include "ops/infer.h"
#include "ops/qmatmul_shape.h"
#include "ops/qparams_check.h"

namespace qforge::ops::qlinear_matmul {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kUInt8, DataType::kInt8}));
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 3, {DataType::kUInt8, DataType::kInt8}));
  if (!ctx.has_input(2) || !ctx.has_input(5) || !ctx.has_input(7)) {
    return ctx.Invalid("a_zero_point, b_zero_point and y_zero_point are required");
  }
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 7, {DataType::kUInt8, DataType::kInt8}));
  const ir::TensorType& a = ctx.input(0);
  const ir::TensorType& b = ctx.input(3);
  const DataType y_dtype = ctx.input(7).dtype;
  MatMulGeometry g;
  if (a.rank_known && b.rank_known) {
    Status s = ResolveMatMulGeometry(a.dims, b.dims, &g);
    if (!s.ok()) return ctx.Invalid(s.message());
  } else {
    g.m = g.n = ir::kDynamicDim;
  }
  QF_RETURN_IF_ERROR(
      CheckScaleAndZeroPoint(ctx, 1, 2, {.per_tensor_only = false, .channels = g.m}, {a.dtype}, "a"));
  QF_RETURN_IF_ERROR(
      CheckScaleAndZeroPoint(ctx, 4, 5, {.per_tensor_only = false, .channels = g.n}, {b.dtype}, "b"));
  QF_RETURN_IF_ERROR(CheckScaleAndZeroPoint(ctx, 6, 7, {.per_tensor_only = true}, {y_dtype}, "y"));
  if (!a.rank_known || !b.rank_known) {
    ctx.outputs[0].dtype = y_dtype;
    return Status::Ok();
  }
  ctx.outputs[0] = MakeType(y_dtype, g.OutputDims());
  ctx.outputs[0].quant = KnownQuantParams(ctx, 6, 7, -1);
  return Status::Ok();
}

}  // namespace qforge::ops::qlinear_matmul
