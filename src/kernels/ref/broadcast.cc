#include "kernels/ref/broadcast.h"

namespace qforge::kernels::ref {

std::vector<int64_t> DenseStrides(std::span<const int64_t> dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) strides[d - 1] = strides[d] * dims[d];
  return strides;
}

std::vector<int64_t> BroadcastStrides(std::span<const int64_t> in_dims, std::span<const int64_t> out_dims) {
  const std::vector<int64_t> dense = DenseStrides(in_dims);
  std::vector<int64_t> strides(out_dims.size(), 0);
  const size_t lead = out_dims.size() - in_dims.size();
  for (size_t d = 0; d < in_dims.size(); ++d) {
    strides[lead + d] = in_dims[d] == 1 ? 0 : dense[d];
  }
  return strides;
}

}  // namespace qforge::kernels::ref
