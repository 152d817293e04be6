// Reference LayerNormalization: per row of the [outer, inner] view (inner =
// the normalized dims), mean and variance in double, then
// y = (x - mean) * inv_std * scale + B.
#include <cmath>

#include "kernels/kernel.h"

namespace qforge::kernels::ref::layernorm {

namespace {

// Offsets into a parameter broadcast to `norm_dims` (right-aligned; broadcast
// dims step 0), one per element of the normalized block.
std::vector<int64_t> ParamOffsets(const std::vector<int64_t>& p, const std::vector<int64_t>& norm_dims) {
  const size_t rank = norm_dims.size();
  const size_t pad = rank - p.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = rank; i-- > pad;) {
    strides[i] = p[i - pad] == 1 ? 0 : stride;
    stride *= p[i - pad];
  }
  int64_t count = 1;
  for (int64_t d : norm_dims) count *= d;
  std::vector<int64_t> offsets(static_cast<size_t>(count));
  std::vector<int64_t> index(rank, 0);
  for (int64_t e = 0; e < count; ++e) {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += index[i] * strides[i];
    offsets[static_cast<size_t>(e)] = off;
    for (size_t i = rank; i-- > 0;) {
      if (++index[i] < norm_dims[i]) break;
      index[i] = 0;
    }
  }
  return offsets;
}

template <typename T>
void LayerNormLoops(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t axis = ctx.attrs().GetInt("axis", -1);
  if (axis < 0) axis += x.rank();
  const double epsilon = ctx.attrs().GetFloat("epsilon", 1e-5f);
  const std::vector<int64_t> norm_dims(x.dims().begin() + axis, x.dims().end());
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < x.rank(); ++i) (i < axis ? outer : inner) *= x.dim(i);
  const T* scale = ctx.in(1).data<T>();
  const std::vector<int64_t> scale_off = ParamOffsets(ctx.in(1).dims(), norm_dims);
  const T* bias = ctx.has_in(2) ? ctx.in(2).data<T>() : nullptr;
  const std::vector<int64_t> bias_off =
      bias ? ParamOffsets(ctx.in(2).dims(), norm_dims) : std::vector<int64_t>{};
  T* mean_out = ctx.outputs.size() > 1 && ctx.outputs[1] ? ctx.outputs[1]->data<T>() : nullptr;
  T* inv_std_out = ctx.outputs.size() > 2 && ctx.outputs[2] ? ctx.outputs[2]->data<T>() : nullptr;
  const T* px = x.data<T>();
  T* py = ctx.out(0).data<T>();
  for (int64_t r = 0; r < outer; ++r) {
    const T* row = px + r * inner;
    double sum = 0;
    for (int64_t i = 0; i < inner; ++i) sum += row[i];
    const double mean = inner > 0 ? sum / static_cast<double>(inner) : 0.0;
    double sq = 0;
    for (int64_t i = 0; i < inner; ++i) sq += (row[i] - mean) * (row[i] - mean);
    const double var = inner > 0 ? sq / static_cast<double>(inner) : 0.0;
    const double inv_std = 1.0 / std::sqrt(var + epsilon);
    for (int64_t i = 0; i < inner; ++i) {
      const size_t e = static_cast<size_t>(i);
      double v = (row[i] - mean) * inv_std * static_cast<double>(scale[scale_off[e]]);
      if (bias) v += static_cast<double>(bias[bias_off[e]]);
      py[r * inner + i] = static_cast<T>(v);
    }
    if (mean_out) mean_out[r] = static_cast<T>(mean);
    if (inv_std_out) inv_std_out[r] = static_cast<T>(inv_std);
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  if (ctx.in(0).dtype() == DataType::kFloat64) {
    LayerNormLoops<double>(ctx);
  } else {
    LayerNormLoops<float>(ctx);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::layernorm
