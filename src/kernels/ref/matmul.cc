// Reference MatMul: numpy matmul with batch broadcasting; one plain triple
// loop per batch entry. Integer and hybrid inputs go to int_matmul.h.
#include "ops/matmul.h"

#include <type_traits>

#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_matmul.h"

namespace qforge::kernels::ref::matmul {

namespace {

// Element offsets of each broadcast batch index into an operand whose batch
// dims are `dims` (right-aligned against `out_batch`; broadcast dims step 0).
std::vector<int64_t> BatchOffsets(const std::vector<int64_t>& dims, const std::vector<int64_t>& out_batch,
                                  int64_t matrix_size) {
  const size_t rank = out_batch.size();
  const size_t pad = rank - dims.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = matrix_size;
  for (size_t i = rank; i-- > pad;) {
    const int64_t d = dims[i - pad];
    strides[i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  int64_t count = 1;
  for (int64_t d : out_batch) count *= d;
  std::vector<int64_t> offsets(static_cast<size_t>(count), 0);
  std::vector<int64_t> index(rank, 0);
  for (int64_t b = 0; b < count; ++b) {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += index[i] * strides[i];
    offsets[static_cast<size_t>(b)] = off;
    for (size_t i = rank; i-- > 0;) {  // odometer increment
      if (++index[i] < out_batch[i]) break;
      index[i] = 0;
    }
  }
  return offsets;
}

// Integers accumulate in uint64 so overflow wraps (two's complement) instead
// of being undefined behaviour.
template <typename T>
using Accumulator = std::conditional_t<std::is_integral_v<T>, uint64_t, T>;

template <typename T>
void MatMulLoops(const T* a, const T* b, T* y, const ops::MatMulShape& s) {
  const int64_t m = s.m, k = s.k, n = s.n;
  const std::vector<int64_t> a_off = BatchOffsets(s.a_batch, s.out_batch, m * k);
  const std::vector<int64_t> b_off = BatchOffsets(s.b_batch, s.out_batch, k * n);
  for (size_t batch = 0; batch < a_off.size(); ++batch) {
    const T* pa = a + a_off[batch];
    const T* pb = b + b_off[batch];
    T* py = y + static_cast<int64_t>(batch) * m * n;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        Accumulator<T> acc = 0;
        for (int64_t p = 0; p < k; ++p) {
          acc += static_cast<Accumulator<T>>(pa[i * k + p]) * static_cast<Accumulator<T>>(pb[p * n + j]);
        }
        py[i * n + j] = static_cast<T>(acc);
      }
    }
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  const DataType a_dtype = ctx.in(0).dtype();
  if (a_dtype == DataType::kInt8 || a_dtype == DataType::kUInt8) return RunIntegerMatMul(ctx);
  if (a_dtype == DataType::kFloat32 && ctx.in(1).dtype() == DataType::kInt8) return RunHybridMatMul(ctx);
  ops::MatMulShape s;
  Status st = ops::ComputeMatMulShape(ctx.in(0).dims(), ctx.in(1).dims(), &s);
  if (!st.ok()) return ctx.Error(st.message());
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Tensor& y = ctx.out(0);
  switch (a.dtype()) {
    case DataType::kFloat64:
      MatMulLoops(a.data<double>(), b.data<double>(), y.data<double>(), s);
      break;
    case DataType::kInt32:
      MatMulLoops(a.data<int32_t>(), b.data<int32_t>(), y.data<int32_t>(), s);
      break;
    case DataType::kInt64:
      MatMulLoops(a.data<int64_t>(), b.data<int64_t>(), y.data<int64_t>(), s);
      break;
    default:
      MatMulLoops(a.data<float>(), b.data<float>(), y.data<float>(), s);
      break;
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::matmul
