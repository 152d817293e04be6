// Transpose: attribute perm (default: reverse the dims).
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::transpose {

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  const ir::TensorType& x = ctx.input(0);
  if (x.dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  const bool has_perm = ctx.attrs().Has("perm");
  if (!x.rank_known) {
    ctx.outputs[0] = has_perm ? DynamicDimsType(x.dtype, static_cast<int>(ctx.attrs().GetInts("perm").size()))
                              : UnknownRankType(x.dtype);
    return Status::Ok();
  }
  const int rank = x.rank();
  std::vector<int64_t> perm = ctx.attrs().GetInts("perm");
  if (!has_perm) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  if (static_cast<int>(perm.size()) != rank) {
    return ctx.Invalid("perm " + DimsToString(perm) + " has " + std::to_string(perm.size()) +
                       " entries for a rank-" + std::to_string(rank) + " input");
  }
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  std::vector<int64_t> dims;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[static_cast<size_t>(p)]) {
      return ctx.Invalid("perm " + DimsToString(perm) + " is not a permutation");
    }
    seen[static_cast<size_t>(p)] = true;
    dims.push_back(x.dims[static_cast<size_t>(p)]);
  }
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::transpose
