#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::tile {

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  if (out.num_elements() == 0) return Status::Ok();  // a dim may be huge: no maps
  // Output coordinate o along axis d reads input coordinate o mod dim.
  std::vector<std::vector<int64_t>> maps(in.dims().size());
  for (size_t d = 0; d < maps.size(); ++d) {
    for (int64_t o = 0; o < out.dims()[d]; ++o) maps[d].push_back(o % in.dims()[d]);
  }
  const bool ok = VisitElementSize(DataTypeSize(in.dtype()), [&](auto e) {
    using E = decltype(e);
    const E* src = in.data<E>();
    E* dst = out.data<E>();
    ForEachAxisMapped(out.dims(), maps, DenseStrides(in.dims()),
                      [&](int64_t i, int64_t off) { dst[i] = src[off]; });
  });
  if (!ok) return ctx.Error("unexpected element size");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::tile
