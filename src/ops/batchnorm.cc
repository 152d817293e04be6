// BatchNormalization (inference form): X (N, C, D...), and scale, B, mean,
// var of shape (C).
#include "ops/infer.h"

namespace qforge::ops::batchnorm {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
  if (ctx.attrs().GetInt("training_mode", 0) != 0) {
    return ctx.Unsupported("training_mode=1 (only inference BatchNormalization is implemented)");
  }
  if (ctx.outputs.size() > 1) return ctx.Unsupported("the training outputs running_mean/running_var");
  const ir::TensorType& x = ctx.input(0);
  const int64_t channels = x.rank_known && x.rank() >= 2 ? x.dims[1] : ir::kDynamicDim;
  if (x.rank_known && x.rank() < 2) return ctx.Invalid("input " + DimsToString(x.dims) + " has rank below 2");
  static const char* const kNames[] = {"", "scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i < 5; ++i) {
    if (!ctx.has_input(i)) return ctx.Invalid(std::string("input ") + kNames[i] + " is missing");
    QF_RETURN_IF_ERROR(RequireDtype(ctx, i, {x.dtype}));
    const ir::TensorType& p = ctx.input(i);
    if (!p.rank_known) continue;
    if (p.rank() != 1 || (channels >= 0 && p.dims[0] >= 0 && p.dims[0] != channels)) {
      return ctx.Invalid(std::string(kNames[i]) + " shape " + DimsToString(p.dims) + " is not [" +
                         std::to_string(channels) + "]");
    }
  }
  ir::TensorType out = x;
  out.quant = {};
  ctx.outputs[0] = out;
  return Status::Ok();
}

}  // namespace qforge::ops::batchnorm
