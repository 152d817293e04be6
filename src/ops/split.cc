// Split(input, split?; axis, num_outputs): explicit sizes from the `split`
// input, or equal parts. With the opset-18 attribute num_outputs the parts
// are ceil(dim / n) and the last one is smaller; without it (older opsets)
// the dim must divide evenly.
#include <algorithm>
#include <limits>
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::split {

namespace {

Status SplitSizes(InferContext& ctx, int64_t dim, std::vector<int64_t>* sizes) {
  const size_t n = ctx.outputs.size();
  sizes->assign(n, ir::kDynamicDim);
  if (ctx.has_input(1)) {
    std::optional<std::vector<int64_t>> split;
    QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 1, "split", &split));
    if (!split) return Status::Ok();
    if (split->size() != n) {
      return ctx.Invalid("split has " + std::to_string(split->size()) + " sizes for " + std::to_string(n) +
                         " outputs");
    }
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0 || s > std::numeric_limits<int64_t>::max() - sum) {
        return ctx.Invalid("split " + DimsToString(*split) + " has a negative or too large size");
      }
      sum += s;
    }
    if (dim >= 0 && sum != dim) {
      return ctx.Invalid("split " + DimsToString(*split) + " does not add up to dim " + std::to_string(dim));
    }
    *sizes = *split;
    return Status::Ok();
  }
  const bool has_num = ctx.attrs().Has("num_outputs");
  if (has_num && ctx.attrs().GetInt("num_outputs", 0) != static_cast<int64_t>(n)) {
    return ctx.Invalid("num_outputs " + std::to_string(ctx.attrs().GetInt("num_outputs", 0)) +
                       " but the node has " + std::to_string(n) + " outputs");
  }
  if (dim < 0) return Status::Ok();
  const int64_t parts = static_cast<int64_t>(n);
  if (!has_num && dim % parts != 0) {
    return ctx.Invalid("dim " + std::to_string(dim) + " does not split evenly into " + std::to_string(n) +
                       " parts");
  }
  const int64_t chunk = (dim + parts - 1) / parts;
  int64_t left = dim;
  for (size_t i = 0; i < n; ++i) {
    (*sizes)[i] = std::min(chunk, left);
    left -= (*sizes)[i];
  }
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  const ir::TensorType& x = ctx.input(0);
  if (x.dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  if (ctx.outputs.empty()) return ctx.Invalid("needs at least one output");
  if (!x.rank_known) {
    for (auto& o : ctx.outputs) o = UnknownRankType(x.dtype);
    // Still validate the sizes we can.
    std::vector<int64_t> sizes;
    return SplitSizes(ctx, ir::kDynamicDim, &sizes);
  }
  int axis = 0;
  QF_RETURN_IF_ERROR(NormalizeAxis(ctx, ctx.attrs().GetInt("axis", 0), x.rank(), &axis));
  std::vector<int64_t> sizes;
  QF_RETURN_IF_ERROR(SplitSizes(ctx, x.dims[static_cast<size_t>(axis)], &sizes));
  for (size_t i = 0; i < ctx.outputs.size(); ++i) {
    std::vector<int64_t> dims = x.dims;
    dims[static_cast<size_t>(axis)] = sizes[i];
    ctx.outputs[i] = MakeType(x.dtype, std::move(dims));
    ForwardPerTensorQuant(x, &ctx.outputs[i]);
  }
  return Status::Ok();
}

}  // namespace qforge::ops::split
