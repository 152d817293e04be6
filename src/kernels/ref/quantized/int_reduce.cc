// Quantized ReduceMean: the centered sum of each output slot is requantized
// once, with the element count folded into the real multiplier.
#include <algorithm>
#include <limits>
#include <string>

#include "core/int_element.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref {

Status RunQuantizedReduceMean(KernelContext& ctx, const std::vector<bool>& reduced) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  TensorQuant qx, qy;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, x, "the input", &qx));
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, y, "the output", &qy));
  const int rank = x.rank();
  // Output strides in input index space: 0 along reduced dims.
  std::vector<int64_t> ostride(static_cast<size_t>(rank), 0);
  int64_t stride = 1, count = 1;
  for (int i = rank; i-- > 0;) {
    if (reduced[static_cast<size_t>(i)]) {
      count *= x.dim(i);
      continue;
    }
    ostride[static_cast<size_t>(i)] = stride;
    stride *= x.dim(i);
  }
  const int64_t out_count = y.num_elements();
  std::vector<int64_t> acc(static_cast<size_t>(out_count), 0);
  std::vector<int64_t> index(static_cast<size_t>(rank), 0);
  int64_t o = 0;
  for (int64_t e = 0; e < x.num_elements(); ++e) {
    acc[static_cast<size_t>(o)] += IntElement<int32_t>(x, e) - qx.zero_point;
    for (int i = rank; i-- > 0;) {
      const size_t d = static_cast<size_t>(i);
      o += ostride[d];
      if (++index[d] < x.dim(i)) break;
      o -= ostride[d] * index[d];
      index[d] = 0;
    }
  }
  if (count == 0) {
    for (int64_t j = 0; j < out_count; ++j) SetIntElement(&y, j, qy.zero_point);
    return Status::Ok();
  }
  Rescaler m;
  QF_RETURN_IF_ERROR(MakeRescaler(
      ctx, static_cast<double>(qx.scale) / (static_cast<double>(qy.scale) * static_cast<double>(count)),
      qx.scale / (qy.scale * static_cast<float>(count)), "output (S_in / (S_out * count))", &m));
  for (int64_t j = 0; j < out_count; ++j) {
    const int64_t a = acc[static_cast<size_t>(j)];
    if (a > std::numeric_limits<int32_t>::max() || a < std::numeric_limits<int32_t>::min()) {
      return ctx.Error("the int32 sum of " + std::to_string(count) + " elements overflows");
    }
    const int64_t v = qy.zero_point + m(static_cast<int32_t>(a));
    SetIntElement(&y, j, static_cast<int32_t>(std::clamp<int64_t>(v, qy.limits.qmin, qy.limits.qmax)));
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
