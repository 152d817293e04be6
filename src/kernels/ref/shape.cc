// Shape and Size read only the input's dims: the interpreter runs it at prepare time
// on a placeholder tensor with no data.
#include <algorithm>

#include "kernels/kernel.h"
#include "ops/shape_inputs.h"

namespace qforge::kernels::ref::shape {

Status Run(KernelContext& ctx) {
  const std::vector<int64_t>& dims = ctx.in(0).dims();
  if (ctx.node->op == OpKind::kSize) {
    // The dims of a prepared tensor passed CheckedElementCount: no overflow.
    int64_t count = 1;
    for (int64_t d : dims) count *= d;
    ctx.out(0).data<int64_t>()[0] = count;
    return Status::Ok();
  }
  const auto [begin, end] = ops::ShapeOpRange(ctx.attrs(), static_cast<int64_t>(dims.size()));
  Tensor& out = ctx.out(0);
  if (out.num_elements() != end - begin) return ctx.Error("output length differs from the dims range");
  std::copy(dims.begin() + begin, dims.begin() + end, out.data<int64_t>());
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::shape
