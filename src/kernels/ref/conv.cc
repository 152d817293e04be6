// Reference Conv: direct convolution, one output element at a time, 1-D and
// 2-D handled as 3-D with unit leading dims. Integer and hybrid inputs go to
// int_conv.h.
#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_conv.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::ref::conv {

namespace {

template <typename T>
void ConvLoops(const T* x, const T* w, const T* bias, T* y, int64_t batch, int64_t channels,
               int64_t out_channels, int64_t group, const ops::Window3D& g) {
  const int64_t cg = channels / group;      // input channels per group
  const int64_t mg = out_channels / group;  // output channels per group
  const int64_t in_size = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_size = g.out[0] * g.out[1] * g.out[2];
  const int64_t k_size = g.kernel[0] * g.kernel[1] * g.kernel[2];
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t m = 0; m < out_channels; ++m) {
      const int64_t grp = m / mg;
      const T* w_m = w + m * cg * k_size;
      T* y_nm = y + (n * out_channels + m) * out_size;
      for (int64_t od = 0; od < g.out[0]; ++od) {
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
          for (int64_t ow = 0; ow < g.out[2]; ++ow) {
            T acc = bias ? bias[m] : T(0);
            for (int64_t ci = 0; ci < cg; ++ci) {
              const T* x_c = x + (n * channels + grp * cg + ci) * in_size;
              const T* w_c = w_m + ci * k_size;
              for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
                const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
                if (id < 0 || id >= g.in[0]) continue;
                for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                  const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
                  if (ih < 0 || ih >= g.in[1]) continue;
                  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                    const int64_t iw = ow * g.stride[2] - g.pad_begin[2] + kw * g.dilation[2];
                    if (iw < 0 || iw >= g.in[2]) continue;
                    acc += x_c[(id * g.in[1] + ih) * g.in[2] + iw] *
                           w_c[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
                  }
                }
              }
            }
            y_nm[(od * g.out[1] + oh) * g.out[2] + ow] = acc;
          }
        }
      }
    }
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  if (x.dtype() == DataType::kInt8 || x.dtype() == DataType::kUInt8) return RunIntegerConv(ctx);
  if (x.dtype() == DataType::kFloat32 && w.dtype() == DataType::kInt8) return RunHybridConv(ctx);
  const Tensor* b = ctx.has_in(2) ? ctx.inputs[2] : nullptr;
  std::vector<int64_t> kernel;
  ops::WindowAttrs wa;
  ops::WindowGeometry geo;
  Status s = ops::ResolveKernelShape(ctx.attrs(), {w.dims().begin() + 2, w.dims().end()}, &kernel);
  if (s.ok()) s = ops::ParseWindowAttrs(ctx.attrs(), kernel, &wa);
  if (s.ok()) s = ops::ResolveForwardWindow(wa, {x.dims().begin() + 2, x.dims().end()}, &geo);
  if (!s.ok()) return ctx.Error(s.message());
  const ops::Window3D g = ops::ToWindow3D(geo);
  const int64_t group = ctx.attrs().GetInt("group", 1);
  if (x.dtype() == DataType::kFloat64) {
    ConvLoops<double>(x.data<double>(), w.data<double>(), b ? b->data<double>() : nullptr,
                      ctx.out(0).data<double>(), x.dim(0), x.dim(1), w.dim(0), group, g);
  } else {
    ConvLoops<float>(x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr,
                     ctx.out(0).data<float>(), x.dim(0), x.dim(1), w.dim(0), group, g);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::conv
