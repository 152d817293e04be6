// Pad(data, pads, constant_value?; mode): pads = [begin_0.., end_0..], one
// pair per dim; negative pads crop. Modes constant, reflect, edge, wrap.
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::pad {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.Invalid("data and pads inputs are required");
  const ir::TensorType& data = ctx.input(0);
  if (data.dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  const std::string mode = ctx.attrs().GetString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    return ctx.Unsupported("mode '" + mode + "'");
  }
  if (ctx.has_input(2)) {
    const ir::TensorType& cv = ctx.input(2);
    if (cv.dtype != data.dtype) {
      return ctx.Invalid(std::string("constant_value has dtype ") + DataTypeName(cv.dtype) + ", data has " +
                         DataTypeName(data.dtype));
    }
    if (cv.rank_known && CheckedElementCount(cv.dims) > 1)
      return ctx.Invalid("constant_value must be a scalar");
  }
  std::optional<std::vector<int64_t>> pads;
  QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 1, "pads", &pads));
  if (!data.rank_known) {
    ctx.outputs[0] = UnknownRankType(data.dtype);
    return Status::Ok();
  }
  const size_t rank = data.dims.size();
  if (!pads) {
    ctx.outputs[0] = DynamicDimsType(data.dtype, static_cast<int>(rank));
    return Status::Ok();
  }
  if (pads->size() != 2 * rank) {
    return ctx.Invalid("pads has " + std::to_string(pads->size()) + " values for a rank-" +
                       std::to_string(rank) + " input (needs " + std::to_string(2 * rank) + ")");
  }
  std::vector<int64_t> dims(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t in = data.dims[d];
    const int64_t begin = (*pads)[d], end = (*pads)[d + rank];
    if (in < 0) {
      dims[d] = ir::kDynamicDim;
      continue;
    }
    // Bounded pads keep the sum below int64 overflow.
    constexpr int64_t kMaxPad = int64_t{1} << 60;
    if (begin > kMaxPad || begin < -kMaxPad || end > kMaxPad || end < -kMaxPad) {
      return ctx.Invalid("pads " + DimsToString(*pads) + " out of range");
    }
    dims[d] = in + begin + end;
    if (dims[d] < 0)
      return ctx.Invalid("pads " + DimsToString(*pads) + " crop dim " + std::to_string(d) + " below 0");
    if (mode != "constant" && in == 0 && dims[d] > 0) {
      return ctx.Invalid("mode '" + mode + "' cannot pad the empty dim " + std::to_string(d));
    }
  }
  ctx.outputs[0] = MakeType(data.dtype, std::move(dims));
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::pad
