#include "kernels/ref/quantized/int_matmul.h"

#include <string>

#include "core/int_element.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "kernels/ref/onnx_integer/qmatmul_core.h"
#include "kernels/ref/quantized/int_linear.h"
#include "ops/qmatmul_shape.h"

namespace qforge::kernels::ref {

namespace {

// sum_p (q_a[i, p] - Z_a) * q_b[p, j] for every (i, j) of Gemm's [M, N]
// output, q_b read through transB. int64: no overflow for any real size.
std::vector<int64_t> GemmSums(std::span<const int32_t> a_centered, const Tensor& b, bool trans_b, int64_t m,
                              int64_t k, int64_t n) {
  std::vector<int64_t> sums(static_cast<size_t>(m * n), 0);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        const int32_t bv = IntElement<int32_t>(b, trans_b ? j * k + p : p * n + j);
        sum += int64_t{a_centered[static_cast<size_t>(i * k + p)]} * bv;
      }
      sums[static_cast<size_t>(i * n + j)] = sum;
    }
  }
  return sums;
}

struct GemmDims {
  int64_t m = 0, k = 0, n = 0;
  bool trans_b = false;
};

Status ReadGemmDims(const KernelContext& ctx, GemmDims* d) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  if (a.rank() != 2 || b.rank() != 2) return ctx.Error("A and B must be 2-D");
  d->trans_b = ctx.attrs().GetInt("transB", 0) != 0;
  d->m = a.dim(0);
  d->k = a.dim(1);
  d->n = d->trans_b ? b.dim(0) : b.dim(1);
  if ((d->trans_b ? b.dim(1) : b.dim(0)) != d->k) {
    return ctx.Error("inner dims differ: A " + a.ShapeString() + ", B " + b.ShapeString());
  }
  return Status::Ok();
}

// Per-tensor A centered by its zero point.
std::vector<int32_t> CenteredActivation(const Tensor& t, const QuantParams& q) {
  const int32_t zero[] = {ZeroPointOf(q)};
  return CenteredValues(t, zero, 0);
}

Status ResolveMatMul(const KernelContext& ctx, ops::MatMulGeometry* g) {
  Status s = ops::ResolveMatMulGeometry(ctx.in(0).dims(), ctx.in(1).dims(), g);
  return s.ok() ? s : ctx.Error(s.message());
}

}  // namespace

Status RunIntegerGemm(KernelContext& ctx) {
  GemmDims d;
  QF_RETURN_IF_ERROR(ReadGemmDims(ctx, &d));
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  const QuantParams& aq = InputQuant(ctx, 0);
  ChannelRequant requant;
  QF_RETURN_IF_ERROR(MakeChannelRequant(ctx, aq, InputQuant(ctx, 1), ctx.has_in(2) ? ctx.inputs[2] : nullptr,
                                        d.n, &requant));
  const std::vector<int64_t> sums = GemmSums(CenteredActivation(a, aq), b, d.trans_b, d.m, d.k, d.n);
  std::vector<int32_t> q(sums.size());
  for (size_t i = 0; i < sums.size(); ++i) q[i] = requant.Apply(sums[i], static_cast<int64_t>(i) % d.n);
  StoreInts(q, &ctx.out(0));
  return Status::Ok();
}

Status RunIntegerMatMul(KernelContext& ctx) {
  ops::MatMulGeometry g;
  QF_RETURN_IF_ERROR(ResolveMatMul(ctx, &g));
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  const QuantParams& aq = InputQuant(ctx, 0);
  const QuantParams& bq = InputQuant(ctx, 1);
  ChannelRequant requant;
  QF_RETURN_IF_ERROR(MakeChannelRequant(ctx, aq, bq, nullptr, g.n, &requant));
  // Per-axis B is a weight with zero point 0 (Infer checked); a per-tensor B
  // may be an activation with any zero point.
  const int32_t b_zero[] = {bq.per_axis() ? 0 : ZeroPointOf(bq)};
  const std::vector<int64_t> sums = IntegerMatMul(CenteredActivation(a, aq), CenteredValues(b, b_zero, 0), g);
  std::vector<int32_t> q(sums.size());
  for (size_t i = 0; i < sums.size(); ++i) q[i] = requant.Apply(sums[i], static_cast<int64_t>(i) % g.n);
  StoreInts(q, &ctx.out(0));
  return Status::Ok();
}

Status RunHybridGemm(KernelContext& ctx) {
  GemmDims d;
  QF_RETURN_IF_ERROR(ReadGemmDims(ctx, &d));
  const Tensor& b = ctx.in(1);
  const QuantParams& bq = InputQuant(ctx, 1);
  QF_RETURN_IF_ERROR(CheckWeightScales(ctx, bq, d.n));
  // C broadcast to (M, N) as in the float Gemm: a stride of 0 along each
  // broadcast dim.
  const Tensor* c = ctx.has_in(2) ? ctx.inputs[2] : nullptr;
  int64_t c_row_stride = 0, c_col_stride = 0;
  if (c != nullptr) {
    if (c->dtype() != DataType::kFloat32 || c->rank() > 2) return ctx.Error("C must be float32 of rank <= 2");
    const int rank = c->rank();
    const int64_t rows = rank == 2 ? c->dim(0) : 1;
    const int64_t cols = rank >= 1 ? c->dim(rank - 1) : 1;
    if ((rows != 1 && rows != d.m) || (cols != 1 && cols != d.n)) {
      return ctx.Error("C " + c->ShapeString() + " does not broadcast to the output");
    }
    c_col_stride = cols == 1 ? 0 : 1;
    c_row_stride = rows == 1 ? 0 : cols;
  }
  const DynamicQuant aq = QuantizeDynamic(ctx.in(0).span<float>());
  const std::vector<int64_t> sums = GemmSums(aq.centered, b, d.trans_b, d.m, d.k, d.n);
  float* y = ctx.out(0).data<float>();
  for (int64_t i = 0; i < d.m; ++i) {
    for (int64_t j = 0; j < d.n; ++j) {
      const float bias = c != nullptr ? c->data<float>()[i * c_row_stride + j * c_col_stride] : 0.0f;
      y[i * d.n + j] = HybridOutput(sums[static_cast<size_t>(i * d.n + j)], aq.scale, ChannelScale(bq, j),
                                    c != nullptr, bias);
    }
  }
  return Status::Ok();
}

Status RunHybridMatMul(KernelContext& ctx) {
  ops::MatMulGeometry g;
  QF_RETURN_IF_ERROR(ResolveMatMul(ctx, &g));
  const Tensor& b = ctx.in(1);
  const QuantParams& bq = InputQuant(ctx, 1);
  QF_RETURN_IF_ERROR(CheckWeightScales(ctx, bq, g.n));
  const DynamicQuant aq = QuantizeDynamic(ctx.in(0).span<float>());
  const int32_t zero[] = {0};
  const std::vector<int64_t> sums = IntegerMatMul(aq.centered, CenteredValues(b, zero, 0), g);
  float* y = ctx.out(0).data<float>();
  for (size_t i = 0; i < sums.size(); ++i) {
    y[i] = HybridOutput(sums[i], aq.scale, ChannelScale(bq, static_cast<int64_t>(i) % g.n), false, 0.0f);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
