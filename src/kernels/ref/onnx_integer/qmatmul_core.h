// The integer matmul shared by MatMulInteger and QLinearMatMul: numpy
// batch broadcasting over zero-point-centered int32 values.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ops/qmatmul_shape.h"

namespace qforge::kernels::ref {

// acc[b..., m, n] = sum_k a[b..., m, k] * b[b..., k, n] with broadcast batch
// dims (row-major, the output's memory order). Accumulates in int64 (no
// overflow). Sizes must match `g` (QF_CHECKed).
std::vector<int64_t> IntegerMatMul(std::span<const int32_t> a, std::span<const int32_t> b,
                                   const ops::MatMulGeometry& g);

// The batch index of an operand with batch dims `operand_batch` (broadcast
// against `batch`) for the flattened output batch index `index`.
int64_t BroadcastBatchIndex(int64_t index, const std::vector<int64_t>& batch,
                            const std::vector<int64_t>& operand_batch);

}  // namespace qforge::kernels::ref
