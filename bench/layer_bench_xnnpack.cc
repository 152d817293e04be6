// XNNPACK (Debian's 2022-02 snapshot) operators for qforge_layer_bench:
// f32 convolution / fully connected, qc8 convolution (int8 activations,
// per-channel int8 weights) and qs8 convolution / fully connected (per-tensor
// weights). uint8 layers run as int8 with codes and zero points shifted by
// -128 (the same arithmetic; XNNPACK's qu8 operators want uint8 weights).
#include <xnnpack.h>

#include <algorithm>
#include <cmath>

#include "layer_bench_impl.h"

#ifndef QFORGE_XNNPACK_VERSION
#define QFORGE_XNNPACK_VERSION "unknown"
#endif

namespace qforge::bench {

namespace {

// OIHW -> XNNPACK's [groups][group_output][kh][kw][group_input] = per output
// channel HWI, since O = groups * group_output.
template <typename T>
std::vector<T> ToOhwi(const Layer& l, const std::vector<T>& oihw) {
  const int ic = l.in_channels / l.groups;
  const int hw = l.kernel_h * l.kernel_w;
  std::vector<T> out(oihw.size());
  for (int o = 0; o < l.out_channels; ++o) {
    for (int i = 0; i < ic; ++i) {
      for (int k = 0; k < hw; ++k)
        out[(static_cast<size_t>(o) * hw + k) * ic + i] = oihw[(static_cast<size_t>(o) * ic + i) * hw + k];
    }
  }
  return out;
}

int8_t S8(int32_t v) { return static_cast<int8_t>(std::clamp(v, -128, 127)); }

class XnnpackImpl : public LayerImpl {
 public:
  XnnpackImpl(const Layer& l, pthreadpool_t pool) : layer_(l), pool_(pool) {}
  ~XnnpackImpl() override {
    if (op_ != nullptr) xnn_delete_operator(op_);
  }
  void Run() override { xnn_run_operator(op_, pool_); }
  std::vector<float> OutputValues() const override {
    std::vector<float> v(layer_.OutputElements());
    for (size_t i = 0; i < v.size(); ++i) {
      if (layer_.type == LayerType::kF32) {
        v[i] = out_f32_[i];
      } else {
        v[i] = static_cast<float>(out_s8_[i]) + (layer_.type == LayerType::kU8 ? 128.0f : 0.0f);
      }
    }
    return v;
  }
  std::string info() const override { return info_; }

  Status Build(const void* input);

 private:
  Status Check(xnn_status s, const char* what) {
    if (s == xnn_status_success) return Status::Ok();
    return Status(StatusCode::kUnsupported,
                  std::string(what) + " failed (xnn_status " + std::to_string(s) + ")");
  }
  Status BuildF32(const float* x);
  Status BuildQuantized(const void* x);

  const Layer& layer_;
  pthreadpool_t pool_;
  xnn_operator_t op_ = nullptr;
  std::vector<float> out_f32_;
  std::vector<int8_t> in_s8_, out_s8_;  // int8 input copy (uint8 layers only), output
  std::string info_;
};

Status XnnpackImpl::Build(const void* input) {
  return layer_.type == LayerType::kF32 ? BuildF32(static_cast<const float*>(input)) : BuildQuantized(input);
}

Status XnnpackImpl::BuildF32(const float* x) {
  const Layer& l = layer_;
  out_f32_.assign(l.OutputElements(), 0.0f);
  if (l.is_gemm) {
    info_ = "fully_connected_nc_f32";
    QF_RETURN_IF_ERROR(Check(
        xnn_create_fully_connected_nc_f32(l.in_channels, l.out_channels, l.in_channels, l.out_channels,
                                          l.weights_f32.data(), l.bias_f32.data(), l.f_min, l.f_max, 0, &op_),
        "xnn_create_fully_connected_nc_f32"));
    return Check(xnn_setup_fully_connected_nc_f32(op_, 1, x, out_f32_.data(), pool_),
                 "xnn_setup_fully_connected_nc_f32");
  }
  info_ = "convolution2d_nhwc_f32";
  const std::vector<float> w = ToOhwi(l, l.weights_f32);
  QF_RETURN_IF_ERROR(Check(
      xnn_create_convolution2d_nhwc_f32(
          l.pad_top, l.pad_right, l.pad_bottom, l.pad_left, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w,
          l.dilation_h, l.dilation_w, l.groups, l.in_channels / l.groups, l.out_channels / l.groups,
          l.in_channels, l.out_channels, w.data(), l.bias_f32.data(), l.f_min, l.f_max, 0, &op_),
      "xnn_create_convolution2d_nhwc_f32"));
  return Check(xnn_setup_convolution2d_nhwc_f32(op_, 1, l.in_h, l.in_w, x, out_f32_.data(), pool_),
               "xnn_setup_convolution2d_nhwc_f32");
}

Status XnnpackImpl::BuildQuantized(const void* input) {
  const Layer& l = layer_;
  const int32_t shift = l.type == LayerType::kU8 ? -128 : 0;
  const int8_t* x = static_cast<const int8_t*>(input);
  if (l.type == LayerType::kU8) {
    const uint8_t* u = static_cast<const uint8_t*>(input);
    in_s8_.resize(l.InputElements());
    for (size_t i = 0; i < in_s8_.size(); ++i) in_s8_[i] = static_cast<int8_t>(u[i] + shift);
    x = in_s8_.data();
  }
  out_s8_.assign(l.OutputElements(), 0);
  const int8_t xz = S8(l.x_zero_point + shift), yz = S8(l.y_zero_point + shift);
  const int8_t qmin = S8(l.q_min + shift), qmax = S8(l.q_max + shift);
  const std::vector<int8_t> w = ToOhwi(l, l.weights_s8);
  if (!l.per_channel && l.is_gemm) {
    info_ = "fully_connected_nc_qs8";
    QF_RETURN_IF_ERROR(
        Check(xnn_create_fully_connected_nc_qs8(l.in_channels, l.out_channels, l.in_channels, l.out_channels,
                                                xz, l.x_scale, l.w_scales[0], w.data(), l.bias_s32.data(), yz,
                                                l.y_scale, qmin, qmax, 0, &op_),
              "xnn_create_fully_connected_nc_qs8"));
    return Check(xnn_setup_fully_connected_nc_qs8(op_, 1, x, out_s8_.data(), pool_),
                 "xnn_setup_fully_connected_nc_qs8");
  }
  const size_t gic = static_cast<size_t>(l.in_channels / l.groups);
  const size_t goc = static_cast<size_t>(l.out_channels / l.groups);
  if (!l.per_channel) {
    info_ = "convolution2d_nhwc_qs8";
    QF_RETURN_IF_ERROR(Check(
        xnn_create_convolution2d_nhwc_qs8(
            l.pad_top, l.pad_right, l.pad_bottom, l.pad_left, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w,
            l.dilation_h, l.dilation_w, l.groups, gic, goc, l.in_channels, l.out_channels, xz, l.x_scale,
            l.w_scales[0], w.data(), l.bias_s32.data(), yz, l.y_scale, qmin, qmax, 0, &op_),
        "xnn_create_convolution2d_nhwc_qs8"));
    return Check(xnn_setup_convolution2d_nhwc_qs8(op_, 1, l.in_h, l.in_w, x, out_s8_.data(), pool_),
                 "xnn_setup_convolution2d_nhwc_qs8");
  }
  // This snapshot has no qc8 fully connected: a Gemm is a 1x1 qc8 convolution.
  info_ = "convolution2d_nhwc_qc8";
  QF_RETURN_IF_ERROR(Check(
      xnn_create_convolution2d_nhwc_qc8(
          l.pad_top, l.pad_right, l.pad_bottom, l.pad_left, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w,
          l.dilation_h, l.dilation_w, l.groups, gic, goc, l.in_channels, l.out_channels, xz, l.x_scale,
          l.w_scales.data(), w.data(), l.bias_s32.data(), yz, l.y_scale, qmin, qmax, 0, &op_),
      "xnn_create_convolution2d_nhwc_qc8"));
  return Check(xnn_setup_convolution2d_nhwc_qc8(op_, 1, l.in_h, l.in_w, x, out_s8_.data(), pool_),
               "xnn_setup_convolution2d_nhwc_qc8");
}

class XnnpackBackend : public Backend {
 public:
  explicit XnnpackBackend(pthreadpool_t pool) : pool_(pool) {}
  ~XnnpackBackend() override {
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
  }
  const char* name() const override { return "XNNPACK"; }
  Result<std::unique_ptr<LayerImpl>> Create(const Layer& layer, const void* input) override {
    auto impl = std::make_unique<XnnpackImpl>(layer, pool_);
    QF_RETURN_IF_ERROR(impl->Build(input));
    return std::unique_ptr<LayerImpl>(std::move(impl));
  }

 private:
  pthreadpool_t pool_;
};

}  // namespace

Result<std::unique_ptr<Backend>> MakeXnnpackBackend(int threads) {
  if (xnn_initialize(nullptr) != xnn_status_success) return Internal("xnn_initialize failed");
  // A null pool runs every operator on the calling thread.
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
  return std::unique_ptr<Backend>(std::make_unique<XnnpackBackend>(pool));
}

std::string XnnpackVersion() { return "Debian libxnnpack-dev " QFORGE_XNNPACK_VERSION; }

}  // namespace qforge::bench
