// Gemm: Y = alpha * A' * B' + beta * C, A' = transA ? A^T : A (M x K),
// B' = transB ? B^T : B (K x N), C unidirectionally broadcast to (M, N).
// Integer (int8/uint8 A, int8 B, int32 C) and hybrid (float32 A, int8 B,
// float32 C) forms need alpha = beta = 1 and transA = 0: the quantized IR
// writes them as MatMul-like ops with a per-output-column bias.
#include "ops/infer.h"
#include "ops/matmul.h"

namespace qforge::ops::gemm {

Status Infer(InferContext& ctx) {
  const ir::TensorType& a = ctx.input(0);
  const ir::TensorType& b = ctx.input(1);
  const int64_t trans_a = ctx.attrs().GetInt("transA", 0);
  const int64_t trans_b = ctx.attrs().GetInt("transB", 0);
  if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1)) {
    return ctx.Invalid("transA/transB must be 0 or 1");
  }
  // The output channels (N) of B are its axis 0 when transposed, else axis 1.
  LinearForm form = LinearForm::kFloat;
  QF_RETURN_IF_ERROR(ClassifyLinear(ctx, {.weight = 1, .weight_axis = trans_b ? 0 : 1, .bias = 2}, &form));
  if (form == LinearForm::kFloat) {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {a.dtype}));
    if (ctx.has_input(2)) QF_RETURN_IF_ERROR(RequireDtype(ctx, 2, {a.dtype}));
  } else {
    const float alpha = ctx.attrs().GetFloat("alpha", 1.0f);
    const float beta = ctx.attrs().GetFloat("beta", 1.0f);
    if (alpha != 1.0f || beta != 1.0f || trans_a != 0) {
      return ctx.Unsupported("quantized Gemm with alpha " + std::to_string(alpha) + ", beta " +
                             std::to_string(beta) + ", transA " + std::to_string(trans_a) +
                             " (needs alpha = beta = 1, transA = 0)");
    }
  }
  const DataType out_dtype = form == LinearForm::kHybrid ? DataType::kFloat32 : a.dtype;
  if (!a.rank_known || !b.rank_known) {
    ctx.outputs[0] = MakeType(out_dtype, {ir::kDynamicDim, ir::kDynamicDim});
    return Status::Ok();
  }
  if (a.rank() != 2 || b.rank() != 2) {
    return ctx.Invalid("A " + DimsToString(a.dims) + " and B " + DimsToString(b.dims) + " must be 2-D");
  }
  const int64_t m = a.dims[trans_a ? 1 : 0];
  const int64_t ka = a.dims[trans_a ? 0 : 1];
  const int64_t kb = b.dims[trans_b ? 1 : 0];
  const int64_t n = b.dims[trans_b ? 0 : 1];
  if (ka >= 0 && kb >= 0 && ka != kb) {
    return ctx.Invalid("inner dims differ: A " + DimsToString(a.dims) + ", B " + DimsToString(b.dims) +
                       " (transA " + std::to_string(trans_a) + ", transB " + std::to_string(trans_b) + ")");
  }
  if (ctx.has_input(2)) {
    const ir::TensorType& c = ctx.input(2);
    if (c.rank_known) {
      if (c.rank() > 2) return ctx.Invalid("C " + DimsToString(c.dims) + " has rank above 2");
      const int64_t mn[2] = {m, n};
      for (int i = 0; i < c.rank(); ++i) {
        const int64_t cd = c.dims[static_cast<size_t>(i)];
        const int64_t target = mn[2 - c.rank() + i];
        if (cd != 1 && cd >= 0 && target >= 0 && cd != target) {
          return ctx.Invalid("C " + DimsToString(c.dims) + " does not broadcast to [" + std::to_string(m) +
                             ", " + std::to_string(n) + "]");
        }
      }
    }
    if (form == LinearForm::kInteger && c.rank_known) {
      // The int32 bias is one value per output column: [N] or [1, N].
      const bool row = (c.rank() == 1 || (c.rank() == 2 && c.dims[0] == 1)) &&
                       (c.dims.back() < 0 || n < 0 || c.dims.back() == n);
      if (!row) {
        return ctx.Unsupported("int32 bias C " + DimsToString(c.dims) +
                               " is not one value per output column [" + std::to_string(n) + "]");
      }
    }
  }
  ctx.outputs[0] = MakeType(out_dtype, {m, n});
  return Status::Ok();
}

}  // namespace qforge::ops::gemm
