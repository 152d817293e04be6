// QLinearConv(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point, B?) -> y: quantized convolution, Conv attributes (any number
// of spatial dims). x, w, y are int8 or uint8 (independently); x and y
// parameters per tensor; w's per tensor or per output channel ([M]); B is
// int32 [M] with scale x_scale * w_scale and zero point 0. y has
// y_zero_point's dtype.
#include <string>

#include "ops/conv_attrs.h"
#include "ops/infer.h"
#include "ops/qparams_check.h"

namespace qforge::ops::qlinear_conv {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kUInt8, DataType::kInt8}));
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 3, {DataType::kUInt8, DataType::kInt8}));
  if (!ctx.has_input(2) || !ctx.has_input(5) || !ctx.has_input(7)) {
    return ctx.Invalid("x_zero_point, w_zero_point and y_zero_point are required");
  }
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 7, {DataType::kUInt8, DataType::kInt8}));
  const ir::TensorType& x = ctx.input(0);
  const ir::TensorType& w = ctx.input(3);
  const DataType y_dtype = ctx.input(7).dtype;
  ConvShape g;
  g.out_channels = ir::kDynamicDim;
  if (x.rank_known && w.rank_known) {
    QF_RETURN_IF_ERROR(
        WithNode(ctx, ResolveConvShape(ctx.attrs(), x.dims, w.dims, &g, PadsWithAutoPad::kIgnore)));
  }
  QF_RETURN_IF_ERROR(CheckScaleAndZeroPoint(ctx, 1, 2, {.per_tensor_only = true}, {x.dtype}, "x"));
  QF_RETURN_IF_ERROR(CheckScaleAndZeroPoint(ctx, 4, 5, {.per_tensor_only = false, .channels = g.out_channels},
                                            {w.dtype}, "w"));
  QF_RETURN_IF_ERROR(CheckScaleAndZeroPoint(ctx, 6, 7, {.per_tensor_only = true}, {y_dtype}, "y"));
  if (ctx.has_input(8)) {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 8, {DataType::kInt32}));
    const ir::TensorType& bias = ctx.input(8);
    if (bias.rank_known &&
        (bias.rank() != 1 || (bias.dims[0] >= 0 && g.out_channels >= 0 && bias.dims[0] != g.out_channels))) {
      return ctx.Invalid("bias B has shape " + DimsToString(bias.dims) + ", expected [" +
                         std::to_string(g.out_channels) + "]");
    }
  }
  if (!x.rank_known || !w.rank_known) {
    ctx.outputs[0].dtype = y_dtype;
    return Status::Ok();
  }
  ctx.outputs[0] = MakeType(y_dtype, g.OutputDims());
  ctx.outputs[0].quant = KnownQuantParams(ctx, 6, 7, -1);
  ctx.outputs[0].layout = x.layout;
  return Status::Ok();
}

}  // namespace qforge::ops::qlinear_conv
