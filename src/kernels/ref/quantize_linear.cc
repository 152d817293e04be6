// QuantizeLinear reference kernel (ONNX semantics: x / scale in float32,
// rounded half to even, zero point added, saturated to the output dtype).
#include "kernels/kernel.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref::quantize_linear {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const std::vector<float> scales = ReadScales(ctx.in(1));
  std::vector<int32_t> zps = ReadZeroPoints(ctx.has_in(2) ? ctx.inputs[2] : nullptr);
  if (zps.size() == 1 && scales.size() > 1) zps.assign(scales.size(), zps[0]);
  Result<quant::QuantLimits> limits = quant::LimitsOf(y.dtype());
  if (!limits.ok()) return ctx.Error(limits.status().message());

  int64_t outer = 1, channels = 1, inner = x.num_elements();
  if (scales.size() != 1) {
    int axis = static_cast<int>(ctx.attrs().GetInt("axis", 1));
    if (axis < 0) axis += x.rank();
    SplitAtAxis(x.dims(), axis, &outer, &channels, &inner);
  }
  if (static_cast<int64_t>(scales.size()) != channels || zps.size() != scales.size()) {
    return ctx.Error("y_scale/y_zero_point sizes do not match the quantization axis");
  }
  std::vector<int32_t> q(static_cast<size_t>(x.num_elements()));
  const float* in = x.data<float>();
  size_t i = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const float scale = scales[static_cast<size_t>(c)];
      const int32_t zp = zps[static_cast<size_t>(c)];
      for (int64_t j = 0; j < inner; ++j, ++i) {
        q[i] = quant::QuantizeValue(in[i], scale, zp, limits->qmin, limits->qmax,
                                    quant::RoundingRule::kHalfToEven);
      }
    }
  }
  StoreInts(q, &y);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::quantize_linear
