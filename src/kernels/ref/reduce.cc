// Reference ReduceMean / ReduceSum / ReduceMax: one pass over the input,
// accumulating each element into its output slot. Float sums accumulate in
// double; integer sums in uint64 (wrapping like two's complement instead of
// overflowing). An empty reduction gives 0 (Sum), NaN (Mean) and -inf or the
// lowest integer (Max).
#include "ops/reduce.h"

#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "ops/infer.h"

namespace qforge::kernels::ref::reduce {

namespace {

template <typename T>
void ReduceLoops(const Tensor& x, const std::vector<bool>& reduced, OpKind op, T* y, int64_t out_count) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  const int rank = x.rank();
  // Output strides in input index space: 0 along reduced dims.
  std::vector<int64_t> ostride(static_cast<size_t>(rank), 0);
  int64_t stride = 1;
  for (int i = rank; i-- > 0;) {
    if (reduced[static_cast<size_t>(i)]) continue;
    ostride[static_cast<size_t>(i)] = stride;
    stride *= x.dim(i);
  }
  const bool is_max = op == OpKind::kReduceMax;
  const T lowest = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                        : std::numeric_limits<T>::lowest();
  std::vector<Acc> acc(static_cast<size_t>(out_count), Acc(0));
  std::vector<T> best(is_max ? static_cast<size_t>(out_count) : 0, lowest);
  const T* px = x.data<T>();
  std::vector<int64_t> index(static_cast<size_t>(rank), 0);
  const int64_t n = x.num_elements();
  int64_t o = 0;  // output offset of `index`, kept incrementally
  for (int64_t e = 0; e < n; ++e) {
    if (is_max) {
      if (px[e] > best[static_cast<size_t>(o)]) best[static_cast<size_t>(o)] = px[e];
    } else {
      acc[static_cast<size_t>(o)] += static_cast<Acc>(px[e]);
    }
    for (int i = rank; i-- > 0;) {
      const size_t d = static_cast<size_t>(i);
      o += ostride[d];
      if (++index[d] < x.dim(i)) break;
      o -= ostride[d] * index[d];
      index[d] = 0;
    }
  }
  int64_t count = 1;  // elements per output slot
  for (int i = 0; i < rank; ++i) {
    if (reduced[static_cast<size_t>(i)]) count *= x.dim(i);
  }
  for (int64_t j = 0; j < out_count; ++j) {
    const size_t s = static_cast<size_t>(j);
    if (is_max) {
      y[j] = best[s];
    } else if (op == OpKind::kReduceMean) {
      if constexpr (std::is_floating_point_v<T>) {
        y[j] = static_cast<T>(acc[s] / static_cast<double>(count));
      }
    } else {
      y[j] = static_cast<T>(acc[s]);
    }
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const bool have_axes = ctx.has_in(1);
  const std::vector<int64_t> axes = have_axes ? ops::ReadInts(ctx.in(1)) : std::vector<int64_t>{};
  std::vector<bool> reduced;
  bool noop = false;
  Status s = ops::ResolveReduceAxes(ctx.attrs(), have_axes, axes, x.rank(), &reduced, &noop);
  if (!s.ok()) return ctx.Error(s.message());
  const OpKind op = ctx.node->op;
  if (IsQuantized(x) && op == OpKind::kReduceMean) {
    // noop leaves every dim unreduced: a count-1 mean, i.e. a requantization.
    return RunQuantizedReduceMean(ctx, reduced);
  }
  if (noop) {
    std::memcpy(y.raw_data(), x.raw_data(), x.byte_size());
    return Status::Ok();
  }
  switch (x.dtype()) {
    case DataType::kInt8:  // quantized ReduceMax: max of q, same (S, Z)
      ReduceLoops(x, reduced, op, y.data<int8_t>(), y.num_elements());
      break;
    case DataType::kUInt8:
      ReduceLoops(x, reduced, op, y.data<uint8_t>(), y.num_elements());
      break;
    case DataType::kFloat64:
      ReduceLoops(x, reduced, op, y.data<double>(), y.num_elements());
      break;
    case DataType::kInt32:
      ReduceLoops(x, reduced, op, y.data<int32_t>(), y.num_elements());
      break;
    case DataType::kInt64:
      ReduceLoops(x, reduced, op, y.data<int64_t>(), y.num_elements());
      break;
    default:
      ReduceLoops(x, reduced, op, y.data<float>(), y.num_elements());
      break;
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::reduce
