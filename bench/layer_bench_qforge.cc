// qforge's own int8 convolution kernels (src/kernels/x86/qconv.h) for
// qforge_layer_bench: dense convolutions and Gemm (a 1x1 convolution over a
// 1x1 image); groups > 1 (depthwise) is not theirs. uint8 layers run as int8
// with codes and zero points shifted by -128, as the runtime would run them.
#include <algorithm>

#include "kernels/x86/qconv.h"
#include "layer_bench_impl.h"

namespace qforge::bench {

namespace {

namespace x86 = kernels::x86;

class QforgeImpl : public LayerImpl {
 public:
  QforgeImpl(const Layer& l, pthreadpool_t pool) : layer_(l), pool_(pool) {}
  void Run() override { conv_->Run(x_, 1, layer_.in_h, layer_.in_w, out_.data(), workspace_.data(), pool_); }
  std::vector<float> OutputValues() const override {
    const float offset = layer_.type == LayerType::kU8 ? 128.0f : 0.0f;
    std::vector<float> v(out_.size());
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(out_[i]) + offset;
    return v;
  }
  std::string info() const override { return conv_->name(); }

  Status Build(const void* input) {
    const Layer& l = layer_;
    if (l.type == LayerType::kF32) return Unsupported("float layer (qforge's kernels are int8)");
    if (l.groups != 1) return Unsupported("grouped or depthwise convolution (not covered by qconv.h)");
    const int32_t shift = l.type == LayerType::kU8 ? -128 : 0;
    x_ = static_cast<const int8_t*>(input);
    if (shift != 0) {
      const uint8_t* u = static_cast<const uint8_t*>(input);
      x_s8_.resize(l.InputElements());
      for (size_t i = 0; i < x_s8_.size(); ++i) x_s8_[i] = static_cast<int8_t>(u[i] + shift);
      x_ = x_s8_.data();
    }
    x86::QConvDesc d;
    d.in_channels = l.in_channels;
    d.out_channels = l.out_channels;
    d.kernel_h = l.kernel_h;
    d.kernel_w = l.kernel_w;
    d.stride_h = l.stride_h;
    d.stride_w = l.stride_w;
    d.dilation_h = l.dilation_h;
    d.dilation_w = l.dilation_w;
    d.pad_top = l.pad_top;
    d.pad_left = l.pad_left;
    d.pad_bottom = l.pad_bottom;
    d.pad_right = l.pad_right;
    d.input_zero_point = l.x_zero_point + shift;
    d.output_zero_point = l.y_zero_point + shift;
    d.output_min = l.q_min + shift;
    d.output_max = l.q_max + shift;
    d.rule = l.rule;
    for (int c = 0; c < l.out_channels; ++c) {
      if (l.rule == ir::Requantization::kFloat) {
        d.real.push_back(l.x_scale * l.w_scales[c] / l.y_scale);
      } else {
        const double real = static_cast<double>(l.x_scale) * static_cast<double>(l.w_scales[c]) / l.y_scale;
        QF_ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m, quant::QuantizeMultiplier(real));
        d.fixed.push_back(m);
      }
    }
    QF_ASSIGN_OR_RETURN(conv_, x86::QConv::Create(d, l.weights_s8.data(), l.bias_s32.data(), x86::BestIsa()));
    const size_t threads = pool_ != nullptr ? pthreadpool_get_threads_count(pool_) : 1;
    workspace_.assign(std::max<size_t>(conv_->WorkspaceBytes(1, l.in_h, l.in_w, threads), 1), 0);
    out_.assign(l.OutputElements(), 0);
    return Status::Ok();
  }

 private:
  const Layer& layer_;
  pthreadpool_t pool_;
  std::unique_ptr<x86::QConv> conv_;
  const int8_t* x_ = nullptr;
  std::vector<int8_t> x_s8_, out_;
  std::vector<uint8_t> workspace_;
};

class QforgeBackend : public Backend {
 public:
  explicit QforgeBackend(pthreadpool_t pool) : pool_(pool) {}
  ~QforgeBackend() override {
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
  }
  const char* name() const override { return "qforge"; }
  Result<std::unique_ptr<LayerImpl>> Create(const Layer& layer, const void* input) override {
    auto impl = std::make_unique<QforgeImpl>(layer, pool_);
    QF_RETURN_IF_ERROR(impl->Build(input));
    return std::unique_ptr<LayerImpl>(std::move(impl));
  }

 private:
  pthreadpool_t pool_;
};

}  // namespace

Result<std::unique_ptr<Backend>> MakeQforgeBackend(int threads) {
  // Its own pool, as the runtime will own one.
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
  return std::unique_ptr<Backend>(std::make_unique<QforgeBackend>(pool));
}

}  // namespace qforge::bench
