// Reference ConvTranspose as the adjoint of Conv: every input element
// scatters input * weight into the output positions its kernel covers.
#include "kernels/kernel.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::ref::conv_transpose {

namespace {

template <typename T>
void ConvTransposeLoops(const T* x, const T* w, const T* bias, T* y, int64_t batch, int64_t channels,
                        int64_t out_channels, int64_t group, const ops::Window3D& g) {
  const int64_t cg = channels / group;
  const int64_t mg = out_channels / group;
  const int64_t in_size = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_size = g.out[0] * g.out[1] * g.out[2];
  const int64_t k_size = g.kernel[0] * g.kernel[1] * g.kernel[2];
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t m = 0; m < out_channels; ++m) {
      T* y_nm = y + (n * out_channels + m) * out_size;
      for (int64_t i = 0; i < out_size; ++i) y_nm[i] = bias ? bias[m] : T(0);
    }
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t grp = c / cg;
      const T* x_c = x + (n * channels + c) * in_size;
      for (int64_t mi = 0; mi < mg; ++mi) {
        const int64_t m = grp * mg + mi;
        const T* w_cm = w + (c * mg + mi) * k_size;  // W is (C, M/group, k...)
        T* y_nm = y + (n * out_channels + m) * out_size;
        for (int64_t id = 0; id < g.in[0]; ++id) {
          for (int64_t ih = 0; ih < g.in[1]; ++ih) {
            for (int64_t iw = 0; iw < g.in[2]; ++iw) {
              const T v = x_c[(id * g.in[1] + ih) * g.in[2] + iw];
              for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
                const int64_t od = id * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
                if (od < 0 || od >= g.out[0]) continue;
                for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                  const int64_t oh = ih * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
                  if (oh < 0 || oh >= g.out[1]) continue;
                  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                    const int64_t ow = iw * g.stride[2] - g.pad_begin[2] + kw * g.dilation[2];
                    if (ow < 0 || ow >= g.out[2]) continue;
                    y_nm[(od * g.out[1] + oh) * g.out[2] + ow] +=
                        v * w_cm[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
                  }
                }
              }
            }
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
  const Tensor* b = ctx.has_in(2) ? ctx.inputs[2] : nullptr;
  std::vector<int64_t> kernel;
  ops::WindowAttrs wa;
  ops::WindowGeometry geo;
  Status s = ops::ResolveKernelShape(ctx.attrs(), {w.dims().begin() + 2, w.dims().end()}, &kernel);
  if (s.ok()) s = ops::ParseWindowAttrs(ctx.attrs(), kernel, &wa);
  if (s.ok()) {
    s = ops::ResolveTransposedWindow(wa, {x.dims().begin() + 2, x.dims().end()},
                                     ctx.attrs().GetInts("output_padding"),
                                     ctx.attrs().GetInts("output_shape"), &geo);
  }
  if (!s.ok()) return ctx.Error(s.message());
  const ops::Window3D g = ops::ToWindow3D(geo);
  const int64_t group = ctx.attrs().GetInt("group", 1);
  const int64_t out_channels = ctx.out(0).dim(1);
  if (x.dtype() == DataType::kFloat64) {
    ConvTransposeLoops<double>(x.data<double>(), w.data<double>(), b ? b->data<double>() : nullptr,
                               ctx.out(0).data<double>(), x.dim(0), x.dim(1), out_channels, group, g);
  } else {
    ConvTransposeLoops<float>(x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr,
                              ctx.out(0).data<float>(), x.dim(0), x.dim(1), out_channels, group, g);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::conv_transpose
