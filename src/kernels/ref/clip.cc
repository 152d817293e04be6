#include <algorithm>
#include <limits>

#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::clip {

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& out = ctx.out(0);
  if (IsQuantized(x) && (x.dtype() == DataType::kInt8 || x.dtype() == DataType::kUInt8)) {
    // Real (float32) bounds, applied by the float formula below to each
    // dequantized table entry.
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    if (ctx.has_in(1) && ctx.in(1).num_elements() > 0) lo = ctx.in(1).data<float>()[0];
    if (ctx.has_in(2) && ctx.in(2).num_elements() > 0) hi = ctx.in(2).data<float>()[0];
    return RunQuantizedTable(ctx, [lo, hi](float v) { return std::min(std::max(v, lo), hi); });
  }
  const bool ok = VisitNumeric(x.dtype(), [&](auto t) {
    using T = decltype(t);
    T lo = std::numeric_limits<T>::lowest();
    T hi = std::numeric_limits<T>::max();
    // An empty bound tensor counts as omitted.
    if (ctx.has_in(1) && ctx.in(1).num_elements() > 0) lo = ctx.in(1).data<T>()[0];
    if (ctx.has_in(2) && ctx.in(2).num_elements() > 0) hi = ctx.in(2).data<T>()[0];
    const T* px = x.data<T>();
    T* o = out.data<T>();
    // min(max(x, lo), hi): with lo > hi every element becomes hi, as in
    // numpy.clip; a NaN x stays NaN.
    for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = std::min(std::max(px[i], lo), hi);
  });
  if (!ok)
    return ctx.Error(std::string("dtype ") + DataTypeName(x.dtype()) + " reached the kernel unchecked");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::clip
