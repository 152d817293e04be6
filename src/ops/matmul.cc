#include "ops/matmul.h"

#include "ops/infer.h"

namespace qforge::ops {

std::vector<int64_t> MatMulShape::OutputDims() const {
  std::vector<int64_t> dims = out_batch;
  if (!a_vector) dims.push_back(m);
  if (!b_vector) dims.push_back(n);
  return dims;
}

Status ComputeMatMulShape(const std::vector<int64_t>& a, const std::vector<int64_t>& b, MatMulShape* out) {
  if (a.empty() || b.empty()) return InvalidModel("MatMul operands must have rank >= 1");
  out->a_vector = a.size() == 1;
  out->b_vector = b.size() == 1;
  const std::vector<int64_t> a2 = out->a_vector ? std::vector<int64_t>{1, a[0]} : a;
  const std::vector<int64_t> b2 = out->b_vector ? std::vector<int64_t>{b[0], 1} : b;
  out->m = a2[a2.size() - 2];
  out->k = a2[a2.size() - 1];
  out->n = b2[b2.size() - 1];
  const int64_t kb = b2[b2.size() - 2];
  if (out->k >= 0 && kb >= 0 && out->k != kb) {
    return InvalidModel("inner dims of " + DimsToString(a) + " and " + DimsToString(b) + " differ");
  }
  if (out->k < 0) out->k = kb;
  out->a_batch.assign(a2.begin(), a2.end() - 2);
  out->b_batch.assign(b2.begin(), b2.end() - 2);
  const size_t rank = std::max(out->a_batch.size(), out->b_batch.size());
  out->out_batch.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const size_t pa = rank - out->a_batch.size(), pb = rank - out->b_batch.size();
    const int64_t da = i < pa ? 1 : out->a_batch[i - pa];
    const int64_t db = i < pb ? 1 : out->b_batch[i - pb];
    if (da == 1) {
      out->out_batch[i] = db;
    } else if (db == 1 || da == db) {
      out->out_batch[i] = da;
    } else if (da < 0 || db < 0) {
      out->out_batch[i] = da < 0 ? db : da;
    } else {
      return InvalidModel("batch dims of " + DimsToString(a) + " and " + DimsToString(b) +
                          " do not broadcast");
    }
  }
  return Status::Ok();
}

namespace matmul {

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(
      RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64, DataType::kInt32, DataType::kInt64}));
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {ctx.input(0).dtype}));
  const ir::TensorType& a = ctx.input(0);
  const ir::TensorType& b = ctx.input(1);
  if (!a.rank_known || !b.rank_known) {
    ir::TensorType t;
    t.dtype = a.dtype;
    ctx.outputs[0] = t;
    return Status::Ok();
  }
  MatMulShape shape;
  Status s = ComputeMatMulShape(a.dims, b.dims, &shape);
  if (!s.ok()) return ctx.Invalid(s.message());
  ctx.outputs[0] = MakeType(a.dtype, shape.OutputDims());
  return Status::Ok();
}

}  // namespace matmul
}  // namespace qforge::ops
