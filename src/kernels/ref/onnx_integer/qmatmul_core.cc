#include "kernels/ref/onnx_integer/qmatmul_core.h"

#include "core/check.h"

namespace qforge::kernels::ref {

int64_t BroadcastBatchIndex(int64_t index, const std::vector<int64_t>& batch,
                            const std::vector<int64_t>& operand_batch) {
  int64_t result = 0, stride = 1;
  for (size_t i = batch.size(); i-- > 0;) {
    const int64_t coord = index % batch[i];
    index /= batch[i];
    if (operand_batch[i] != 1) result += coord * stride;
    stride *= operand_batch[i];
  }
  return result;
}

std::vector<int64_t> IntegerMatMul(std::span<const int32_t> a, std::span<const int32_t> b,
                                   const ops::MatMulGeometry& g) {
  int64_t batch = 1, a_batch = 1, b_batch = 1;
  for (int64_t d : g.batch) batch *= d;
  for (int64_t d : g.a_batch) a_batch *= d;
  for (int64_t d : g.b_batch) b_batch *= d;
  QF_CHECK(static_cast<int64_t>(a.size()) == a_batch * g.m * g.k);
  QF_CHECK(static_cast<int64_t>(b.size()) == b_batch * g.k * g.n);
  std::vector<int64_t> acc(static_cast<size_t>(batch * g.m * g.n), 0);
  for (int64_t bi = 0; bi < batch; ++bi) {
    const int32_t* pa = a.data() + BroadcastBatchIndex(bi, g.batch, g.a_batch) * g.m * g.k;
    const int32_t* pb = b.data() + BroadcastBatchIndex(bi, g.batch, g.b_batch) * g.k * g.n;
    int64_t* out = acc.data() + bi * g.m * g.n;
    for (int64_t i = 0; i < g.m; ++i) {
      for (int64_t j = 0; j < g.n; ++j) {
        int64_t sum = 0;
        for (int64_t k = 0; k < g.k; ++k) sum += static_cast<int64_t>(pa[i * g.k + k]) * pb[k * g.n + j];
        out[i * g.n + j] = sum;
      }
    }
  }
  return acc;
}

}  // namespace qforge::kernels::ref
