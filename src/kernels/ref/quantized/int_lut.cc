// Table activations: an 8-bit input has only 256 values, so any elementwise
// f becomes a lookup table built per run from the input and output (S, Z).
// f is the float kernel's own function, so the integer result is exactly
// the float kernel's output on the dequantized input, quantized once.
#include <array>

#include "core/int_element.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref {

Status RunQuantizedTable(KernelContext& ctx, const std::function<float(float)>& f) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  TensorQuant qx, qy;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, x, "the input", &qx));
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, y, "the output", &qy));
  if (x.dtype() == DataType::kInt16 || y.dtype() == DataType::kInt16) {
    return ctx.Error("table activations take int8 or uint8 (a 256-entry table)");
  }
  std::array<int32_t, 256> table{};
  // Indexed by q - qmin, so one table serves int8 and uint8.
  for (int32_t q = qx.limits.qmin; q <= qx.limits.qmax; ++q) {
    const float r = f(quant::DequantizeValue(q, qx.scale, qx.zero_point));
    table[static_cast<size_t>(q - qx.limits.qmin)] = quant::QuantizeValue(
        r, qy.scale, qy.zero_point, qy.limits.qmin, qy.limits.qmax, quant::RoundingRule::kHalfAwayFromZero);
  }
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    SetIntElement(&y, i, table[static_cast<size_t>(IntElement<int32_t>(x, i) - qx.limits.qmin)]);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
