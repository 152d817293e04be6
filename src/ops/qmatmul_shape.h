// numpy matmul shape rules for the integer matmuls (QLinearMatMul,
// MatMulInteger), shared by their shape inference and kernels: a 1-D A is a
// row [1, K], a 1-D B a column [K, 1] (that dim is dropped from the output),
// and the batch dims (all but the last two) broadcast.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "qforge/status.h"

namespace qforge::ops {

struct MatMulGeometry {
  std::vector<int64_t> batch;    // broadcast batch dims
  std::vector<int64_t> a_batch;  // A's batch dims, left-padded with 1 to batch.size()
  std::vector<int64_t> b_batch;
  int64_t m = 0, k = 0, n = 0;  // kDynamicDim when unknown
  bool a_is_vector = false;
  bool b_is_vector = false;

  std::vector<int64_t> OutputDims() const;
};

// InvalidModel (without the node prefix) for rank-0 operands, mismatched K
// or non-broadcastable batch dims. Dynamic dims (kDynamicDim) are allowed.
Status ResolveMatMulGeometry(std::span<const int64_t> a, std::span<const int64_t> b,
                             MatMulGeometry* geometry);

}  // namespace qforge::ops
