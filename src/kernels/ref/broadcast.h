// Index math shared by the elementwise and data-movement reference kernels:
// walking an output tensor in row-major order while tracking the matching
// element offsets of inputs that are broadcast, permuted or strided.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "qforge/tensor.h"

namespace qforge::kernels::ref {

// Row-major element strides of a dense tensor.
std::vector<int64_t> DenseStrides(std::span<const int64_t> dims);

// Strides for reading a tensor of `in_dims` as if numpy-broadcast to
// `out_dims`: right-aligned, 0 along dims where the input has size 1 (or is
// missing). Requires in_dims to be broadcastable to out_dims.
std::vector<int64_t> BroadcastStrides(std::span<const int64_t> in_dims, std::span<const int64_t> out_dims);

// Calls fn(out_index, offsets) for every element of `out_dims` in row-major
// order; offsets[k] = sum over d of index[d] * strides[k][d] (+ base[k]).
// Each strides[k] has out_dims.size() entries.
template <size_t N, typename Fn>
void ForEachStrided(std::span<const int64_t> out_dims, const std::array<std::vector<int64_t>, N>& strides,
                    const std::array<int64_t, N>& base, Fn&& fn) {
  const int64_t total = CheckedElementCount(out_dims);
  if (total <= 0) return;
  const size_t rank = out_dims.size();
  std::vector<int64_t> index(rank, 0);
  std::array<int64_t, N> offsets = base;
  for (int64_t i = 0; i < total; ++i) {
    fn(i, offsets);
    for (size_t d = rank; d-- > 0;) {
      ++index[d];
      for (size_t k = 0; k < N; ++k) offsets[k] += strides[k][d];
      if (index[d] < out_dims[d]) break;
      for (size_t k = 0; k < N; ++k) offsets[k] -= strides[k][d] * out_dims[d];
      index[d] = 0;
    }
  }
}

template <size_t N, typename Fn>
void ForEachStrided(std::span<const int64_t> out_dims, const std::array<std::vector<int64_t>, N>& strides,
                    Fn&& fn) {
  ForEachStrided<N>(out_dims, strides, std::array<int64_t, N>{}, std::forward<Fn>(fn));
}

// For kernels whose output coordinate maps to an input coordinate
// independently per axis (pad, tile, slice): maps[d][o] is the input
// coordinate for output coordinate o along axis d, or -1 for "no input
// element" (a padding value). Calls fn(out_index, in_offset) with in_offset
// = -1 when any axis maps to -1.
template <typename Fn>
void ForEachAxisMapped(std::span<const int64_t> out_dims, const std::vector<std::vector<int64_t>>& maps,
                       std::span<const int64_t> in_strides, Fn&& fn) {
  const int64_t total = CheckedElementCount(out_dims);
  if (total <= 0) return;
  const size_t rank = out_dims.size();
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < total; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t c = maps[d][static_cast<size_t>(index[d])];
      if (c < 0) {
        offset = -1;
        break;
      }
      offset += c * in_strides[d];
    }
    fn(i, offset);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out_dims[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace qforge::kernels::ref
