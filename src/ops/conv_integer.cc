// ConvInteger(x, w, x_zero_point?, w_zero_point?) -> int32: convolution of
// (x - x_zero_point) with (w - w_zero_point), padding with the zero point.
// Conv attributes as Conv (any number of spatial dims). x and w are int8 or
// uint8 (independently); x_zero_point per tensor, w_zero_point per tensor or
// per output channel ([M]).
#include "ops/conv_attrs.h"
#include "ops/infer.h"
#include "ops/qparams_check.h"

namespace qforge::ops::conv_integer {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kUInt8, DataType::kInt8}));
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {DataType::kUInt8, DataType::kInt8}));
  const ir::TensorType& x = ctx.input(0);
  const ir::TensorType& w = ctx.input(1);
  if (!x.rank_known || !w.rank_known) {
    ctx.outputs[0].dtype = DataType::kInt32;
    return Status::Ok();
  }
  ConvShape g;
  QF_RETURN_IF_ERROR(
      WithNode(ctx, ResolveConvShape(ctx.attrs(), x.dims, w.dims, &g, PadsWithAutoPad::kIgnore)));
  QF_RETURN_IF_ERROR(CheckZeroPoint(ctx, 2, 0, {.per_tensor_only = true}, "x_zero_point"));
  QF_RETURN_IF_ERROR(
      CheckZeroPoint(ctx, 3, 1, {.per_tensor_only = false, .channels = g.out_channels}, "w_zero_point"));
  ctx.outputs[0] = MakeType(DataType::kInt32, g.OutputDims());
  return Status::Ok();
}

}  // namespace qforge::ops::conv_integer
