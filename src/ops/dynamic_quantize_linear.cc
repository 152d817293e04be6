// DynamicQuantizeLinear(x float32) -> (y uint8, y_scale float32 scalar,
// y_zero_point uint8 scalar): parameters from x's own range, see the kernel.
#include "ops/infer.h"

namespace qforge::ops::dynamic_quantize_linear {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32}));
  ctx.outputs[0] = ctx.input(0);
  ctx.outputs[0].dtype = DataType::kUInt8;
  ctx.outputs[0].quant = {};
  if (ctx.outputs.size() > 1) ctx.outputs[1] = MakeType(DataType::kFloat32, {});
  if (ctx.outputs.size() > 2) ctx.outputs[2] = MakeType(DataType::kUInt8, {});
  return Status::Ok();
}

}  // namespace qforge::ops::dynamic_quantize_linear
