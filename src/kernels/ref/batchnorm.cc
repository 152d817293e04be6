// Reference BatchNormalization, inference form:
// y = (x - mean) / sqrt(var + epsilon) * scale + B, per channel (dim 1).
#include <cmath>

#include "kernels/kernel.h"

namespace qforge::kernels::ref::batchnorm {

namespace {

template <typename T>
void BatchNormLoops(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const T* scale = ctx.in(1).data<T>();
  const T* bias = ctx.in(2).data<T>();
  const T* mean = ctx.in(3).data<T>();
  const T* var = ctx.in(4).data<T>();
  const double epsilon = ctx.attrs().GetFloat("epsilon", 1e-5f);
  const int64_t batch = x.dim(0);
  const int64_t channels = x.dim(1);
  int64_t inner = 1;
  for (int i = 2; i < x.rank(); ++i) inner *= x.dim(i);
  const T* px = x.data<T>();
  T* py = ctx.out(0).data<T>();
  for (int64_t c = 0; c < channels; ++c) {
    // Folded into one multiply-add per element, computed in double.
    const double a = static_cast<double>(scale[c]) / std::sqrt(static_cast<double>(var[c]) + epsilon);
    const double b = static_cast<double>(bias[c]) - a * static_cast<double>(mean[c]);
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) py[base + i] = static_cast<T>(a * px[base + i] + b);
    }
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  if (ctx.in(0).dtype() == DataType::kFloat64) {
    BatchNormLoops<double>(ctx);
  } else {
    BatchNormLoops<float>(ctx);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::batchnorm
