// oneDNN 2.6 (Debian libdnnl-dev, OpenMP build) convolutions for
// qforge_layer_bench: NHWC src/dst, weights in the format the primitive asks
// for (format "any", reordered once at creation), f32, or s8/u8 activations
// with s8 weights, per-channel output scales, runtime src/dst zero points and
// an f32 bias in the accumulator domain (oneDNN 2.x adds the bias before the
// output scale). A Gemm is a 1x1 convolution over a 1x1 image.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <dnnl.hpp>
#include <unordered_map>

#include "layer_bench_impl.h"

namespace qforge::bench {

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dt DataTypeOf(LayerType t) {
  switch (t) {
    case LayerType::kF32:
      return dt::f32;
    case LayerType::kS8:
      return dt::s8;
    case LayerType::kU8:
      return dt::u8;
  }
  return dt::undef;
}

class OnednnImpl : public LayerImpl {
 public:
  OnednnImpl(const Layer& l, dnnl::engine& eng) : layer_(l), eng_(eng), stream_(eng) {}
  void Run() override {
    prim_.execute(stream_, args_);
    stream_.wait();
  }
  std::vector<float> OutputValues() const override {
    std::vector<float> v(layer_.OutputElements());
    for (size_t i = 0; i < v.size(); ++i) {
      switch (layer_.type) {
        case LayerType::kF32:
          v[i] = reinterpret_cast<const float*>(out_.data())[i];
          break;
        case LayerType::kS8:
          v[i] = static_cast<int8_t>(out_[i]);
          break;
        case LayerType::kU8:
          v[i] = out_[i];
          break;
      }
    }
    return v;
  }
  std::string info() const override { return info_; }
  Status Build(const void* input);

 private:
  dnnl::primitive_attr MakeAttr() const;

  const Layer& layer_;
  dnnl::engine& eng_;
  dnnl::stream stream_;
  dnnl::primitive prim_;
  std::unordered_map<int, memory> args_;
  std::vector<uint8_t> out_;  // NHWC dst bytes
  int32_t src_zp_ = 0, dst_zp_ = 0;
  std::string info_;
};

dnnl::primitive_attr OnednnImpl::MakeAttr() const {
  const Layer& l = layer_;
  dnnl::primitive_attr attr;
  dnnl::post_ops ops;
  if (l.type == LayerType::kF32) {
    if (!std::isinf(l.f_min) || !std::isinf(l.f_max))
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, l.f_min, l.f_max);
  } else {
    std::vector<float> scales(static_cast<size_t>(l.out_channels));
    for (int c = 0; c < l.out_channels; ++c) scales[c] = l.x_scale * l.w_scales[c] / l.y_scale;
    attr.set_output_scales(/*mask: per output channel (dim 1)*/ 2, scales);
    attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
    // The post-op sees scale * acc, before the dst zero point is added: the
    // clamp [q_min, q_max] in codes is [q_min - Z, q_max - Z] there.
    const bool type_range =
        l.type == LayerType::kS8 ? (l.q_min == -128 && l.q_max == 127) : (l.q_min == 0 && l.q_max == 255);
    if (!type_range) {
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(l.q_min - l.y_zero_point),
                         static_cast<float>(l.q_max - l.y_zero_point));
    }
  }
  attr.set_post_ops(ops);
  return attr;
}

Status OnednnImpl::Build(const void* input) {
  const Layer& l = layer_;
  const dt act = DataTypeOf(l.type);
  const dt wdt = l.type == LayerType::kF32 ? dt::f32 : dt::s8;
  const memory::desc src_md({1, l.in_channels, l.in_h, l.in_w}, act, tag::nhwc);
  const memory::desc dst_md({1, l.out_channels, l.out_h, l.out_w}, act, tag::nhwc);
  const memory::desc bias_md({l.out_channels}, dt::f32, tag::x);
  const bool grouped = l.groups > 1;
  const memory::dims wdims = grouped ? memory::dims{l.groups, l.out_channels / l.groups,
                                                    l.in_channels / l.groups, l.kernel_h, l.kernel_w}
                                     : memory::dims{l.out_channels, l.in_channels, l.kernel_h, l.kernel_w};
  const memory::desc w_any(wdims, wdt, tag::any);
  const memory::desc w_user(wdims, wdt, grouped ? tag::goihw : tag::oihw);
  try {
    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::convolution_direct, src_md, w_any, bias_md, dst_md,
                                         {l.stride_h, l.stride_w}, {l.dilation_h - 1, l.dilation_w - 1},
                                         {l.pad_top, l.pad_left}, {l.pad_bottom, l.pad_right});
    dnnl::convolution_forward::primitive_desc pd(desc, MakeAttr(), eng_);
    info_ = pd.impl_info_str();
    prim_ = dnnl::convolution_forward(pd);
    // Weights: reorder once from OIHW into the primitive's layout.
    const void* w_data = l.type == LayerType::kF32 ? static_cast<const void*>(l.weights_f32.data())
                                                   : static_cast<const void*>(l.weights_s8.data());
    memory w_src(w_user, eng_, const_cast<void*>(w_data));
    memory w_mem(pd.weights_desc(), eng_);
    dnnl::reorder(w_src, w_mem).execute(stream_, w_src, w_mem);
    memory b_mem(bias_md, eng_);
    std::copy(l.bias_f32.begin(), l.bias_f32.end(), static_cast<float*>(b_mem.get_data_handle()));
    out_.assign(dst_md.get_size(), 0);
    args_[DNNL_ARG_SRC] = memory(src_md, eng_, const_cast<void*>(input));
    args_[DNNL_ARG_WEIGHTS] = w_mem;
    args_[DNNL_ARG_BIAS] = b_mem;
    args_[DNNL_ARG_DST] = memory(dst_md, eng_, out_.data());
    if (l.type != LayerType::kF32) {
      src_zp_ = l.x_zero_point;
      dst_zp_ = l.y_zero_point;
      const memory::desc zp_md({1}, dt::s32, tag::x);
      args_[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = memory(zp_md, eng_, &src_zp_);
      args_[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = memory(zp_md, eng_, &dst_zp_);
    }
    stream_.wait();
  } catch (const dnnl::error& e) {
    return Unsupported(std::string("oneDNN: ") + e.what() + " (status " + std::to_string(e.status) + ")");
  }
  return Status::Ok();
}

class OnednnBackend : public Backend {
 public:
  const char* name() const override { return "oneDNN"; }
  Result<std::unique_ptr<LayerImpl>> Create(const Layer& layer, const void* input) override {
    auto impl = std::make_unique<OnednnImpl>(layer, eng_);
    QF_RETURN_IF_ERROR(impl->Build(input));
    return std::unique_ptr<LayerImpl>(std::move(impl));
  }

 private:
  dnnl::engine eng_{dnnl::engine::kind::cpu, 0};
};

}  // namespace

Result<std::unique_ptr<Backend>> MakeOnednnBackend(int threads) {
  omp_set_num_threads(threads);
  return std::unique_ptr<Backend>(std::make_unique<OnednnBackend>());
}

std::string OnednnVersion() {
  const dnnl_version_t* v = dnnl::version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " (" + v->hash + ", CPU runtime " +
         (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other") + ")";
}

}  // namespace qforge::bench
