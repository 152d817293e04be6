// out[i] = start + i * delta (not a running sum, which would accumulate
// rounding error in float).
#include "kernels/kernel.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::range {

Status Run(KernelContext& ctx) {
  Tensor& out = ctx.out(0);
  const bool ok = VisitNumeric(out.dtype(), [&](auto t) {
    using T = decltype(t);
    const T start = ctx.in(0).data<T>()[0];
    const T delta = ctx.in(2).data<T>()[0];
    T* o = out.data<T>();
    for (int64_t i = 0; i < out.num_elements(); ++i) o[i] = static_cast<T>(start + static_cast<T>(i) * delta);
  });
  if (!ok)
    return ctx.Error(std::string("dtype ") + DataTypeName(out.dtype()) + " reached the kernel unchecked");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::range
