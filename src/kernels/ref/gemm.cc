// Reference Gemm: plain triple loop, accumulating in the element type.
// Integer and hybrid inputs go to int_matmul.h.
#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_matmul.h"

namespace qforge::kernels::ref::gemm {

namespace {

template <typename T>
void GemmLoops(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Tensor& y = ctx.out(0);
  const bool trans_a = ctx.attrs().GetInt("transA", 0) != 0;
  const bool trans_b = ctx.attrs().GetInt("transB", 0) != 0;
  const T alpha = static_cast<T>(ctx.attrs().GetFloat("alpha", 1.0f));
  const T beta = static_cast<T>(ctx.attrs().GetFloat("beta", 1.0f));
  const int64_t m = y.dim(0);
  const int64_t n = y.dim(1);
  const int64_t k = trans_a ? a.dim(0) : a.dim(1);
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  // C broadcast to (M, N): a stride of 0 along each broadcast dim.
  const Tensor* c = ctx.has_in(2) ? ctx.inputs[2] : nullptr;
  int64_t c_row_stride = 0, c_col_stride = 0;
  if (c != nullptr) {
    const int rank = c->rank();
    const int64_t rows = rank == 2 ? c->dim(0) : 1;
    const int64_t cols = rank >= 1 ? c->dim(rank - 1) : 1;
    c_col_stride = cols == 1 ? 0 : 1;
    c_row_stride = rows == 1 ? 0 : cols;
  }
  T* py = y.data<T>();
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      T acc = 0;
      for (int64_t p = 0; p < k; ++p) {
        const T av = trans_a ? pa[p * m + i] : pa[i * k + p];
        const T bv = trans_b ? pb[j * k + p] : pb[p * n + j];
        acc += av * bv;
      }
      T out = alpha * acc;
      if (c != nullptr) out += beta * c->data<T>()[i * c_row_stride + j * c_col_stride];
      py[i * n + j] = out;
    }
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  const DataType a = ctx.in(0).dtype();
  if (a == DataType::kInt8 || a == DataType::kUInt8) return RunIntegerGemm(ctx);
  if (a == DataType::kFloat32 && ctx.in(1).dtype() == DataType::kInt8) return RunHybridGemm(ctx);
  if (ctx.in(0).dtype() == DataType::kFloat64) {
    GemmLoops<double>(ctx);
  } else {
    GemmLoops<float>(ctx);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::gemm
