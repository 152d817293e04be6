// Where moves elements without reading their values, so one kernel per
// element size serves every dtype.
#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::where {

Status Run(KernelContext& ctx) {
  const Tensor& cond = ctx.in(0);
  const Tensor& x = ctx.in(1);
  const Tensor& y = ctx.in(2);
  Tensor& out = ctx.out(0);
  const std::vector<int64_t>& od = out.dims();
  const bool ok = VisitElementSize(DataTypeSize(x.dtype()), [&](auto e) {
    using E = decltype(e);
    const uint8_t* c = cond.data<uint8_t>();
    const E* px = x.data<E>();
    const E* py = y.data<E>();
    E* o = out.data<E>();
    ForEachStrided<3>(
        od,
        {BroadcastStrides(cond.dims(), od), BroadcastStrides(x.dims(), od), BroadcastStrides(y.dims(), od)},
        [&](int64_t i, const std::array<int64_t, 3>& off) { o[i] = c[off[0]] ? px[off[1]] : py[off[2]]; });
  });
  if (!ok) return ctx.Error("unexpected element size");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::where
