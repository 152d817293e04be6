// Reference Softmax / LogSoftmax over an [outer, n, inner] view of the input:
// the softmax runs along n. A single axis gives n = dims[axis], inner =
// prod(dims > axis); coerce_2d gives n = prod(dims >= axis), inner = 1.
// Numerically stable: the row maximum is subtracted before exp, and sums are
// taken in double.
#include <algorithm>
#include <cmath>

#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"

namespace qforge::kernels::ref::softmax {

namespace {

template <typename T>
void SoftmaxLoops(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * n * inner + in;
      double mx = -INFINITY;
      for (int64_t i = 0; i < n; ++i) mx = std::max(mx, static_cast<double>(x[base + i * inner]));
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[base + i * inner]) - mx);
      const double log_sum = std::log(sum);
      for (int64_t i = 0; i < n; ++i) {
        const double shifted = static_cast<double>(x[base + i * inner]) - mx;
        y[base + i * inner] = static_cast<T>(log ? shifted - log_sum : std::exp(shifted) / sum);
      }
    }
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const bool coerce = ctx.attrs().GetInt("coerce_2d", 0) != 0;
  const int rank = x.rank();
  int64_t axis = ctx.attrs().GetInt("axis", coerce ? 1 : -1);
  if (axis < 0) axis += rank;
  int64_t outer = 1, n = 1, inner = 1;
  for (int i = 0; i < rank; ++i) {
    if (i < axis) {
      outer *= x.dim(i);
    } else if (i == axis || coerce) {
      n *= x.dim(i);
    } else {
      inner *= x.dim(i);
    }
  }
  const bool log = ctx.node->op == OpKind::kLogSoftmax;
  if (IsQuantized(x)) return RunQuantizedSoftmax(ctx, outer, n, inner, log);
  if (x.dtype() == DataType::kFloat64) {
    SoftmaxLoops(x.data<double>(), ctx.out(0).data<double>(), outer, n, inner, log);
  } else {
    SoftmaxLoops(x.data<float>(), ctx.out(0).data<float>(), outer, n, inner, log);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::softmax
