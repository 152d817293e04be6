// Requantize: q_out = clamp(Z_out + MultiplyByQuantizedMultiplier(q_in - Z_in, S_in / S_out)).
#include "core/int_element.h"
#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"

namespace qforge::kernels::ref::requantize {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  TensorQuant in, out;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, x, "the input", &in));
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, y, "the output", &out));
  Requantizer r;
  QF_RETURN_IF_ERROR(MakeRequantizer(ctx, in, out, &r));
  for (int64_t i = 0; i < x.num_elements(); ++i) SetIntElement(&y, i, r(IntElement<int32_t>(x, i)));
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::requantize
