#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::expand {

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  const bool ok = VisitElementSize(DataTypeSize(in.dtype()), [&](auto e) {
    using E = decltype(e);
    const E* src = in.data<E>();
    E* dst = out.data<E>();
    ForEachStrided<1>(out.dims(), {BroadcastStrides(in.dims(), out.dims())},
                      [&](int64_t i, const std::array<int64_t, 1>& off) { dst[i] = src[off[0]]; });
  });
  if (!ok) return ctx.Error("unexpected element size");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::expand
