// MatMulInteger(A, B, a_zero_point?, b_zero_point?) -> int32:
// (A - a_zero_point) x (B - b_zero_point) with numpy matmul broadcasting.
// A and B are int8 or uint8 (independently); a_zero_point is per tensor or
// per row of A ([M]), b_zero_point per tensor or per column of B ([N]).
#include "ops/infer.h"
#include "ops/qmatmul_shape.h"
#include "ops/qparams_check.h"

namespace qforge::ops::matmul_integer {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kUInt8, DataType::kInt8}));
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {DataType::kUInt8, DataType::kInt8}));
  const ir::TensorType& a = ctx.input(0);
  const ir::TensorType& b = ctx.input(1);
  if (!a.rank_known || !b.rank_known) {
    ctx.outputs[0].dtype = DataType::kInt32;
    return Status::Ok();
  }
  MatMulGeometry g;
  Status s = ResolveMatMulGeometry(a.dims, b.dims, &g);
  if (!s.ok()) return ctx.Invalid(s.message());
  QF_RETURN_IF_ERROR(CheckZeroPoint(ctx, 2, 0, {.per_tensor_only = false, .channels = g.m}, "a_zero_point"));
  QF_RETURN_IF_ERROR(CheckZeroPoint(ctx, 3, 1, {.per_tensor_only = false, .channels = g.n}, "b_zero_point"));
  ctx.outputs[0] = MakeType(DataType::kInt32, g.OutputDims());
  return Status::Ok();
}

}  // namespace qforge::ops::matmul_integer
