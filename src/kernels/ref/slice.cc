#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/type_visit.h"
#include "ops/infer.h"
#include "ops/slice_params.h"

namespace qforge::kernels::ref::slice {

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  std::vector<int64_t> axes_in, steps_in;
  if (ctx.has_in(3)) axes_in = ops::ReadInts(ctx.in(3));
  if (ctx.has_in(4)) steps_in = ops::ReadInts(ctx.in(4));
  std::vector<ops::SliceAxis> axes;
  std::string error;
  if (!ops::ComputeSlice(in.dims(), ops::ReadInts(ctx.in(1)), ops::ReadInts(ctx.in(2)), axes_in, steps_in,
                         &axes, &error)) {
    return ctx.Error(error);
  }
  // Output index i along axis d reads input index start + i * step.
  const std::vector<int64_t> in_strides = DenseStrides(in.dims());
  std::vector<int64_t> strides(axes.size());
  int64_t base = 0;
  for (size_t d = 0; d < axes.size(); ++d) {
    if (axes[d].length != out.dim(static_cast<int>(d)))
      return ctx.Error("output shape differs from the slice");
    // A huge step only occurs with length <= 1, where the stride is never used.
    strides[d] = axes[d].length > 1 ? in_strides[d] * axes[d].step : 0;
    base += axes[d].start * in_strides[d];
  }
  const bool ok = VisitElementSize(DataTypeSize(in.dtype()), [&](auto e) {
    using E = decltype(e);
    const E* src = in.data<E>();
    E* dst = out.data<E>();
    ForEachStrided<1>(out.dims(), {strides}, {base},
                      [&](int64_t i, const std::array<int64_t, 1>& off) { dst[i] = src[off[0]]; });
  });
  if (!ok) return ctx.Error("unexpected element size");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::slice
