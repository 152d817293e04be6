// Gather copies one contiguous block of the trailing dims per (outer index,
// index value). Indices are untrusted data: out-of-range is a run-time error.
#include <cstring>
#include <string>

#include "kernels/kernel.h"
#include "ops/infer.h"

namespace qforge::kernels::ref::gather {

Status Run(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  Tensor& out = ctx.out(0);
  const int rank = data.rank();
  int64_t axis = ctx.attrs().GetInt("axis", 0);
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < rank; ++d) {
    if (d < axis) outer *= data.dim(d);
    if (d > axis) inner *= data.dim(d);
  }
  const int64_t dim = data.dim(static_cast<int>(axis));
  const std::vector<int64_t> indices = ops::ReadInts(ctx.in(1));
  const int64_t n = static_cast<int64_t>(indices.size());
  const size_t elem = DataTypeSize(data.dtype());
  const size_t block = static_cast<size_t>(inner) * elem;
  const char* src = static_cast<const char*>(data.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t j = 0; j < n; ++j) {
    if (indices[static_cast<size_t>(j)] < -dim || indices[static_cast<size_t>(j)] >= dim) {
      return ctx.Error("index " + std::to_string(indices[static_cast<size_t>(j)]) +
                       " out of range for axis " + std::to_string(axis) + " of size " + std::to_string(dim));
    }
  }
  if (block == 0) return Status::Ok();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t k = indices[static_cast<size_t>(j)];
      if (k < 0) k += dim;
      std::memcpy(dst, src + static_cast<size_t>(o * dim + k) * block, block);
      dst += block;
    }
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::gather
