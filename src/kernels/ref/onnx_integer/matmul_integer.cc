// MatMulInteger reference kernel: centered int32 operands, int64
// accumulation, result wrapped to int32 (identical to int32 accumulation
// whenever that does not overflow; ONNX leaves overflow undefined).
#include "kernels/kernel.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "kernels/ref/onnx_integer/qmatmul_core.h"
#include "ops/qmatmul_shape.h"

namespace qforge::kernels::ref::matmul_integer {

Status Run(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  ops::MatMulGeometry g;
  Status s = ops::ResolveMatMulGeometry(a.dims(), b.dims(), &g);
  if (!s.ok()) return ctx.Error(s.message());
  const std::vector<int32_t> a_zp = ReadZeroPoints(ctx.has_in(2) ? ctx.inputs[2] : nullptr);
  const std::vector<int32_t> b_zp = ReadZeroPoints(ctx.has_in(3) ? ctx.inputs[3] : nullptr);
  if ((a_zp.size() != 1 && static_cast<int64_t>(a_zp.size()) != g.m) ||
      (b_zp.size() != 1 && static_cast<int64_t>(b_zp.size()) != g.n)) {
    return ctx.Error("zero point sizes do not match the rows of A / columns of B");
  }
  // A 1-D operand has one row (column), so its zero point is per tensor.
  const std::vector<int32_t> ac = CenteredValues(a, a_zp, a.rank() - 2);
  const std::vector<int32_t> bc = CenteredValues(b, b_zp, b.rank() - 1);
  const std::vector<int64_t> acc = IntegerMatMul(ac, bc, g);
  int32_t* out = ctx.out(0).data<int32_t>();
  for (size_t i = 0; i < acc.size(); ++i) out[i] = WrapToInt32(acc[i]);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::matmul_integer
