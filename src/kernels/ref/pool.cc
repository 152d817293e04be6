// Reference pooling. Windowed pools run 3-D loops (lower ranks get unit
// leading dims); padded positions never contribute a value, and for
// AveragePool count_include_pad=1 they count in the divisor as long as they
// lie inside the explicit pads (a ceil_mode overhang past the end pad does
// not count, as in PyTorch and ONNX Runtime).
#include <algorithm>
#include <limits>
#include <type_traits>

#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::ref::pool {

namespace {

template <typename T, bool kMax>
void WindowPool(const T* x, T* y, int64_t planes, const ops::Window3D& g, bool count_include_pad) {
  const int64_t in_size = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_size = g.out[0] * g.out[1] * g.out[2];
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * in_size;
    T* yp = y + p * out_size;
    for (int64_t od = 0; od < g.out[0]; ++od) {
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t o[3] = {od, oh, ow};
          double sum = 0;
          T best = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                        : std::numeric_limits<T>::lowest();
          const ops::WindowSpan span = ops::WindowTapsAt(g, o);
          const ops::TapRange* t = span.t;
          const int64_t valid = span.valid, padded = span.padded;
          for (int64_t kd = t[0].begin; kd < t[0].end; ++kd) {
            const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
            for (int64_t kh = t[1].begin; kh < t[1].end; ++kh) {
              const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
              for (int64_t kw = t[2].begin; kw < t[2].end; ++kw) {
                const int64_t iw = ow * g.stride[2] - g.pad_begin[2] + kw * g.dilation[2];
                const T v = xp[(id * g.in[1] + ih) * g.in[2] + iw];
                if constexpr (kMax) {
                  if (v > best) best = v;
                } else {
                  sum += static_cast<double>(v);
                }
              }
            }
          }
          T result;
          if constexpr (kMax) {
            result = best;
          } else {
            const int64_t divisor = count_include_pad ? padded : valid;
            result = static_cast<T>(divisor > 0 ? sum / static_cast<double>(divisor) : 0.0);
          }
          yp[(od * g.out[1] + oh) * g.out[2] + ow] = result;
        }
      }
    }
  }
}

template <typename T>
void GlobalPool(const T* x, T* y, int64_t planes, int64_t size, bool is_max) {
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * size;
    if (is_max) {
      T best = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < size; ++i) best = std::max(best, xp[i]);
      y[p] = best;
    } else {
      double sum = 0;
      for (int64_t i = 0; i < size; ++i) sum += static_cast<double>(xp[i]);
      y[p] = static_cast<T>(size > 0 ? sum / static_cast<double>(size) : 0.0);
    }
  }
}

template <typename T>
Status RunTyped(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int64_t planes = x.dim(0) * x.dim(1);
  const OpKind op = ctx.node->op;
  const bool quantized = IsQuantized(x);
  if (op == OpKind::kGlobalAveragePool || op == OpKind::kGlobalMaxPool) {
    if (quantized) return RunQuantizedGlobalPool(ctx);
    if constexpr (std::is_floating_point_v<T>) {
      const int64_t size = planes > 0 ? x.num_elements() / planes : 0;
      GlobalPool<T>(x.data<T>(), ctx.out(0).data<T>(), planes, size, op == OpKind::kGlobalMaxPool);
    }
    return Status::Ok();
  }
  ops::WindowAttrs wa;
  ops::WindowGeometry geo;
  Status s = ops::ParseWindowAttrs(ctx.attrs(), ctx.attrs().GetInts("kernel_shape"), &wa);
  if (s.ok()) s = ops::ResolveForwardWindow(wa, {x.dims().begin() + 2, x.dims().end()}, &geo);
  if (!s.ok()) return ctx.Error(s.message());
  const ops::Window3D g = ops::ToWindow3D(geo);
  if (quantized) return RunQuantizedWindowPool(ctx, g);
  if (op == OpKind::kMaxPool) {
    WindowPool<T, true>(x.data<T>(), ctx.out(0).data<T>(), planes, g, false);
  } else {
    const bool cip = ctx.attrs().GetInt("count_include_pad", 0) != 0;
    WindowPool<T, false>(x.data<T>(), ctx.out(0).data<T>(), planes, g, cip);
  }
  return Status::Ok();
}

}  // namespace

Status Run(KernelContext& ctx) {
  switch (ctx.in(0).dtype()) {
    case DataType::kFloat64:
      return RunTyped<double>(ctx);
    case DataType::kInt8:
      return RunTyped<int8_t>(ctx);
    case DataType::kUInt8:
      return RunTyped<uint8_t>(ctx);
    default:
      return RunTyped<float>(ctx);
  }
}

}  // namespace qforge::kernels::ref::pool
