// LayerNormalization: normalizes X over dims [axis, rank); Scale and the
// optional B broadcast (unidirectionally) to X[axis:]. Optional outputs Mean
// and InvStdDev have X's leading dims and 1 for every normalized dim.
#include "ops/infer.h"

namespace qforge::ops::layernorm {

namespace {

// True when `p` broadcasts unidirectionally to `target` (right-aligned).
bool BroadcastsTo(const std::vector<int64_t>& p, const std::vector<int64_t>& target) {
  if (p.size() > target.size()) return false;
  const size_t pad = target.size() - p.size();
  for (size_t i = 0; i < p.size(); ++i) {
    const int64_t d = p[i], t = target[i + pad];
    if (d != 1 && d >= 0 && t >= 0 && d != t) return false;
  }
  return true;
}

}  // namespace

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
  const ir::TensorType& x = ctx.input(0);
  for (size_t i = 1; i < 3; ++i) {
    if (ctx.has_input(i)) QF_RETURN_IF_ERROR(RequireDtype(ctx, i, {x.dtype}));
  }
  if (!ctx.has_input(1)) return ctx.Invalid("input Scale is missing");
  if (!x.rank_known) {
    for (auto& o : ctx.outputs) o.dtype = x.dtype;
    return Status::Ok();
  }
  int axis = 0;
  QF_RETURN_IF_ERROR(NormalizeAxis(ctx, ctx.attrs().GetInt("axis", -1), x.rank(), &axis));
  const std::vector<int64_t> normalized(x.dims.begin() + axis, x.dims.end());
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i) || !ctx.input(i).rank_known) continue;
    if (!BroadcastsTo(ctx.input(i).dims, normalized)) {
      return ctx.Unsupported(std::string(i == 1 ? "Scale " : "B ") + DimsToString(ctx.input(i).dims) +
                             " does not broadcast to the normalized shape " + DimsToString(normalized));
    }
  }
  ir::TensorType y = MakeType(x.dtype, x.dims);
  y.dim_names = x.dim_names;
  ctx.outputs[0] = y;
  std::vector<int64_t> stat_dims = x.dims;
  for (size_t i = static_cast<size_t>(axis); i < stat_dims.size(); ++i) stat_dims[i] = 1;
  for (size_t o = 1; o < ctx.outputs.size(); ++o) ctx.outputs[o] = MakeType(x.dtype, stat_dims);
  return Status::Ok();
}

}  // namespace qforge::ops::layernorm
