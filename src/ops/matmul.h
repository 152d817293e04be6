// MatMul shape rules shared by the MatMul family and the integer/quantized
// matmuls: numpy matmul semantics (1-D operands promoted then squeezed,
// leading batch dims broadcast).
#pragma once

#include <cstdint>
#include <vector>

#include "qforge/status.h"

namespace qforge::ops {

struct MatMulShape {
  std::vector<int64_t> a_batch, b_batch;  // batch dims of each operand (may be shorter than out_batch)
  std::vector<int64_t> out_batch;         // broadcast batch dims
  int64_t m = 0, k = 0, n = 0;
  bool a_vector = false, b_vector = false;  // 1-D operands: their unit dim is dropped from the output
  std::vector<int64_t> OutputDims() const;
};

// Computes the matmul shape of `a` and `b` (dims may be kDynamicDim). Error
// messages carry no node prefix.
Status ComputeMatMulShape(const std::vector<int64_t>& a, const std::vector<int64_t>& b, MatMulShape* out);

}  // namespace qforge::ops
