// ConvInteger reference kernel: centered int32 operands, int64
// accumulation, result wrapped to int32 (identical to int32 accumulation
// whenever that does not overflow).
#include "kernels/kernel.h"
#include "kernels/ref/onnx_integer/qconv_core.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::ref::conv_integer {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  ops::ConvShape g;
  Status s = ops::ResolveConvShape(ctx.attrs(), x.dims(), w.dims(), &g, ops::PadsWithAutoPad::kIgnore);
  if (!s.ok()) return ctx.Error(s.message());
  const std::vector<int32_t> x_zp = ReadZeroPoints(ctx.has_in(2) ? ctx.inputs[2] : nullptr);
  const std::vector<int32_t> w_zp = ReadZeroPoints(ctx.has_in(3) ? ctx.inputs[3] : nullptr);
  if (x_zp.size() != 1 || (w_zp.size() != 1 && static_cast<int64_t>(w_zp.size()) != g.out_channels)) {
    return ctx.Error("zero point sizes do not match (x: 1, w: 1 or output channels)");
  }
  const std::vector<int64_t> acc = IntegerConv(CenteredValues(x, x_zp, 0), CenteredValues(w, w_zp, 0), g);
  int32_t* out = ctx.out(0).data<int32_t>();
  for (size_t i = 0; i < acc.size(); ++i) out[i] = WrapToInt32(acc[i]);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::conv_integer
