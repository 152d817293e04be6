// DequantizeLinear reference kernel: (x - zero_point) exactly in int64, then
// one float32 multiply by the scale (ONNX's definition, bit for bit).
#include "core/int_element.h"
#include "kernels/kernel.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref::dequantize_linear {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const std::vector<float> scales = ReadScales(ctx.in(1));
  std::vector<int32_t> zps = ReadZeroPoints(ctx.has_in(2) ? ctx.inputs[2] : nullptr);
  if (zps.size() == 1 && scales.size() > 1) zps.assign(scales.size(), zps[0]);

  int64_t outer = 1, channels = 1, inner = x.num_elements();
  if (scales.size() != 1) {
    int axis = static_cast<int>(ctx.attrs().GetInt("axis", 1));
    if (axis < 0) axis += x.rank();
    SplitAtAxis(x.dims(), axis, &outer, &channels, &inner);
  }
  if (static_cast<int64_t>(scales.size()) != channels || zps.size() != scales.size()) {
    return ctx.Error("x_scale/x_zero_point sizes do not match the quantization axis");
  }
  float* out = y.data<float>();
  int64_t i = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const float scale = scales[static_cast<size_t>(c)];
      const int32_t zp = zps[static_cast<size_t>(c)];
      for (int64_t j = 0; j < inner; ++j, ++i)
        out[i] = quant::DequantizeValue(IntElement<int32_t>(x, i), scale, zp);
    }
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::dequantize_linear
