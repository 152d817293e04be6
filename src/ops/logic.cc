// Shape inference for the logical ops: And, Or, Xor (bool inputs, numpy
// broadcasting) and Not (elementwise). The output is bool.
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::logic {

Status Infer(InferContext& ctx) {
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) return ctx.Invalid("input " + std::to_string(i) + " is required");
    // The ONNX spec defines these over bool only.
    if (ctx.input(i).dtype != DataType::kBool) {
      return ctx.Invalid("input " + std::to_string(i) + " has dtype " + DataTypeName(ctx.input(i).dtype) +
                         ", expected bool");
    }
  }
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.input(i).rank_known) {
      ctx.outputs[0] = UnknownRankType(DataType::kBool);
      return Status::Ok();
    }
  }
  std::vector<int64_t> dims = ctx.input(0).dims;
  if (ctx.num_inputs() == 2)
    QF_RETURN_IF_ERROR(BroadcastShapes(ctx, ctx.input(0).dims, ctx.input(1).dims, &dims));
  ctx.outputs[0] = MakeType(DataType::kBool, std::move(dims));
  return Status::Ok();
}

}  // namespace qforge::ops::logic
