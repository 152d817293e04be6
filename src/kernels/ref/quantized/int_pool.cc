// Quantized pooling. MaxPool / AveragePool / GlobalMaxPool work on q
// directly with the input's (S, Z) (one scale in and out, so no
// requantization); GlobalAveragePool requantizes the centered sum once.
#include <algorithm>
#include <limits>

#include "core/int_element.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref {

namespace {

// TFLite's integer average: half away from zero, divisor > 0.
int64_t RoundedDivide(int64_t sum, int64_t divisor) {
  return sum >= 0 ? (sum + divisor / 2) / divisor : (sum - divisor / 2) / divisor;
}

Status SameQuantInOut(KernelContext& ctx, TensorQuant* q) {
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, ctx.in(0), "the input", q));
  if (ctx.out(0).quant() != ctx.in(0).quant() || ctx.out(0).dtype() != ctx.in(0).dtype()) {
    return ctx.Error("the output must keep the input's dtype, scale and zero point");
  }
  return Status::Ok();
}

}  // namespace

Status RunQuantizedWindowPool(KernelContext& ctx, const ops::Window3D& g) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  TensorQuant q;
  QF_RETURN_IF_ERROR(SameQuantInOut(ctx, &q));
  const bool is_max = ctx.node->op == OpKind::kMaxPool;
  const bool count_include_pad = !is_max && ctx.attrs().GetInt("count_include_pad", 0) != 0;
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t in_size = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_size = g.out[0] * g.out[1] * g.out[2];
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t od = 0; od < g.out[0]; ++od) {
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t o[3] = {od, oh, ow};
          int64_t sum = 0;
          int32_t best = q.limits.qmin;
          const ops::WindowSpan span = ops::WindowTapsAt(g, o);
          const ops::TapRange* t = span.t;
          const int64_t valid = span.valid, padded = span.padded;
          for (int64_t kd = t[0].begin; kd < t[0].end; ++kd) {
            const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
            for (int64_t kh = t[1].begin; kh < t[1].end; ++kh) {
              const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
              for (int64_t kw = t[2].begin; kw < t[2].end; ++kw) {
                const int64_t iw = ow * g.stride[2] - g.pad_begin[2] + kw * g.dilation[2];
                const int32_t v = IntElement<int32_t>(x, p * in_size + (id * g.in[1] + ih) * g.in[2] + iw);
                best = std::max(best, v);
                sum += v;
              }
            }
          }
          int64_t result = best;
          if (!is_max) {
            // A padded position inside the pads is real 0.0, i.e. q = Z.
            if (count_include_pad) sum += static_cast<int64_t>(q.zero_point) * (padded - valid);
            const int64_t divisor = count_include_pad ? padded : valid;
            result = divisor > 0 ? RoundedDivide(sum, divisor) : q.zero_point;
          }
          SetIntElement(&y, p * out_size + (od * g.out[1] + oh) * g.out[2] + ow,
                        static_cast<int32_t>(std::clamp<int64_t>(result, q.limits.qmin, q.limits.qmax)));
        }
      }
    }
  }
  return Status::Ok();
}

Status RunQuantizedGlobalPool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t size = planes > 0 ? x.num_elements() / planes : 0;
  if (ctx.node->op == OpKind::kGlobalMaxPool) {
    TensorQuant q;
    QF_RETURN_IF_ERROR(SameQuantInOut(ctx, &q));
    for (int64_t p = 0; p < planes; ++p) {
      int32_t best = q.limits.qmin;
      for (int64_t i = 0; i < size; ++i) best = std::max(best, IntElement<int32_t>(x, p * size + i));
      SetIntElement(&y, p, best);
    }
    return Status::Ok();
  }
  TensorQuant qx, qy;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, x, "the input", &qx));
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, y, "the output", &qy));
  if (size == 0) {
    for (int64_t p = 0; p < planes; ++p) SetIntElement(&y, p, qy.zero_point);
    return Status::Ok();
  }
  // The count is folded into the one real multiplier (computed in double).
  Rescaler m;
  QF_RETURN_IF_ERROR(MakeRescaler(
      ctx, static_cast<double>(qx.scale) / (static_cast<double>(qy.scale) * static_cast<double>(size)),
      qx.scale / (qy.scale * static_cast<float>(size)), "output (S_in / (S_out * count))", &m));
  for (int64_t p = 0; p < planes; ++p) {
    int64_t acc = 0;
    for (int64_t i = 0; i < size; ++i) acc += IntElement<int32_t>(x, p * size + i) - qx.zero_point;
    if (acc > std::numeric_limits<int32_t>::max() || acc < std::numeric_limits<int32_t>::min()) {
      return ctx.Error("the int32 sum of " + std::to_string(size) + " elements overflows");
    }
    const int64_t v = qy.zero_point + m(static_cast<int32_t>(acc));
    SetIntElement(&y, p, static_cast<int32_t>(std::clamp<int64_t>(v, qy.limits.qmin, qy.limits.qmax)));
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
