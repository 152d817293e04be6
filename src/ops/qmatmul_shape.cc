#include "ops/qmatmul_shape.h"

#include <algorithm>
#include <string>

#include "ir/graph.h"

namespace qforge::ops {

std::vector<int64_t> MatMulGeometry::OutputDims() const {
  std::vector<int64_t> dims = batch;
  if (!a_is_vector) dims.push_back(m);
  if (!b_is_vector) dims.push_back(n);
  return dims;
}

Status ResolveMatMulGeometry(std::span<const int64_t> a, std::span<const int64_t> b, MatMulGeometry* g) {
  if (a.empty() || b.empty()) {
    return InvalidModel("matmul operands must have rank >= 1, got " + DimsToString(a) + " and " +
                        DimsToString(b));
  }
  std::vector<int64_t> a2(a.begin(), a.end());
  std::vector<int64_t> b2(b.begin(), b.end());
  g->a_is_vector = a2.size() == 1;
  g->b_is_vector = b2.size() == 1;
  if (g->a_is_vector) a2.insert(a2.begin(), 1);
  if (g->b_is_vector) b2.push_back(1);
  g->m = a2[a2.size() - 2];
  g->k = a2.back();
  g->n = b2.back();
  const int64_t kb = b2[b2.size() - 2];
  if (g->k >= 0 && kb >= 0 && g->k != kb) {
    return InvalidModel("matmul inner dims differ: A " + DimsToString(a) + ", B " + DimsToString(b));
  }
  if (g->k < 0) g->k = kb;
  const size_t batch_rank = std::max(a2.size(), b2.size()) - 2;
  g->a_batch.assign(batch_rank - (a2.size() - 2), 1);
  g->a_batch.insert(g->a_batch.end(), a2.begin(), a2.end() - 2);
  g->b_batch.assign(batch_rank - (b2.size() - 2), 1);
  g->b_batch.insert(g->b_batch.end(), b2.begin(), b2.end() - 2);
  g->batch.assign(batch_rank, 1);
  for (size_t i = 0; i < batch_rank; ++i) {
    const int64_t da = g->a_batch[i], db = g->b_batch[i];
    if (da == 1) {
      g->batch[i] = db;
    } else if (db == 1 || da == db) {
      g->batch[i] = da;
    } else if (da < 0 || db < 0) {
      g->batch[i] = da < 0 ? db : da;
    } else {
      return InvalidModel("matmul batch dims of A " + DimsToString(a) + " and B " + DimsToString(b) +
                          " cannot be broadcast");
    }
  }
  return Status::Ok();
}

}  // namespace qforge::ops
