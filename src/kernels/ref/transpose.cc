#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::transpose {

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  const int rank = in.rank();
  std::vector<int64_t> perm = ctx.attrs().GetInts("perm");
  if (!ctx.attrs().Has("perm")) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  // Output axis d walks input axis perm[d].
  const std::vector<int64_t> in_strides = DenseStrides(in.dims());
  std::vector<int64_t> strides;
  for (int64_t p : perm) strides.push_back(in_strides[static_cast<size_t>(p)]);
  const bool ok = VisitElementSize(DataTypeSize(in.dtype()), [&](auto e) {
    using E = decltype(e);
    const E* src = in.data<E>();
    E* dst = out.data<E>();
    ForEachStrided<1>(out.dims(), {strides},
                      [&](int64_t i, const std::array<int64_t, 1>& off) { dst[i] = src[off[0]]; });
  });
  if (!ok) return ctx.Error("unexpected element size");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::transpose
