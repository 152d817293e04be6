// Softmax / LogSoftmax. `axis` (default -1, or 1 with coerce_2d) and
// `coerce_2d` (set by the importer for opset < 13, where the input is seen as
// a [prod(dims < axis), prod(dims >= axis)] matrix) only affect the kernel;
// the output type is the input type.
#include "ops/infer.h"

namespace qforge::ops::softmax {

Status Infer(InferContext& ctx) {
  const ir::TensorType& x = ctx.input(0);
  // Quantized int8/uint8 (per tensor) runs the table kernel; the output keeps
  // the dtype and takes its declared (S, Z) (QUANT_SPEC 2: 1/256, -128 for int8).
  const bool quantized = !x.quant.empty() && (x.dtype == DataType::kInt8 || x.dtype == DataType::kUInt8);
  if (quantized) {
    if (x.quant.per_axis() || x.quant.scale.size() != 1) return ctx.Unsupported("per-axis quantized input");
  } else {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
  }
  const int64_t coerce = ctx.attrs().GetInt("coerce_2d", 0);
  if (coerce != 0 && coerce != 1) return ctx.Invalid("coerce_2d must be 0 or 1");
  if (x.rank_known) {
    const int64_t axis = ctx.attrs().GetInt("axis", coerce ? 1 : -1);
    int unused = 0;
    // Opset < 13 allows axis == rank only for rank 0; treat a scalar as one element.
    if (x.rank() > 0) QF_RETURN_IF_ERROR(NormalizeAxis(ctx, axis, x.rank(), &unused));
  }
  ir::TensorType out = x;
  out.quant = {};
  ctx.outputs[0] = out;
  return Status::Ok();
}

}  // namespace qforge::ops::softmax
