// qforge's own int8 convolution (kernels/x86/qconv.h: AVX-512 VNNI, AVX2,
// portable) for dense (group 1) NHWC Conv and int8 Gemm. Bit-exact with the
// reference under both requantization rules.
#include "kernels/opt/qconv_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/x86/qconv.h"
#include "ops/conv_attrs.h"
#include "qscheme/fused_activation.h"

namespace qforge::kernels::opt {

namespace {

bool PerTensor(const ir::TensorType& t, float* scale, int32_t* zp) {
  if (t.dtype != DataType::kInt8 || t.quant.scale.size() != 1 || t.quant.per_axis()) return false;
  *scale = t.quant.scale[0];
  *zp = t.quant.zero_point.empty() ? 0 : static_cast<int32_t>(t.quant.zero_point[0]);
  return *scale > 0 && std::isfinite(*scale);
}

class QConvKernel final : public PreparedKernel {
 public:
  QConvKernel(std::unique_ptr<x86::QConv> conv, int batch, int h, int w, size_t workspace)
      : conv_(std::move(conv)), batch_(batch), h_(h), w_(w), workspace_(workspace) {}
  std::string name() const override { return conv_->name(); }
  size_t workspace_bytes() const override { return workspace_; }
  bool owns_weights() const override { return true; }
  bool Reshape(const NodeInfo& info) override {
    const std::vector<int64_t>& x = info.in(0).dims;
    int batch, h = 1, w = 1;
    if (info.node->op == OpKind::kGemm) {
      if (x.size() != 2) return false;
      batch = static_cast<int>(x[0]);
    } else {
      ops::ConvShape s;
      if (x.size() != 4 ||
          !ops::ResolveConvShape(info.node->attrs, std::vector<int64_t>{x[0], x[3], x[1], x[2]},
                                 info.in(1).dims, &s)
               .ok())
        return false;
      // The packed conv keeps the pads it was created with.
      if (s.window.pad_begin != pad_begin_ || s.window.pad_end != pad_end_) return false;
      batch = static_cast<int>(x[0]);
      h = static_cast<int>(x[1]);
      w = static_cast<int>(x[2]);
    }
    batch_ = batch;
    h_ = h;
    w_ = w;
    workspace_ = conv_->WorkspaceBytes(batch, h, w, static_cast<size_t>(std::max(1, info.threads)));
    return true;
  }
  void set_pads(std::vector<int64_t> begin, std::vector<int64_t> end) {
    pad_begin_ = std::move(begin);
    pad_end_ = std::move(end);
  }
  Status Run(KernelContext& ctx, const RunResources& res) override {
    conv_->Run(ctx.in(0).data<int8_t>(), batch_, h_, w_, ctx.out(0).data<int8_t>(), res.workspace, res.pool);
    return Status::Ok();
  }

 private:
  std::unique_ptr<x86::QConv> conv_;
  int batch_, h_, w_;
  size_t workspace_;
  std::vector<int64_t> pad_begin_, pad_end_;
};

// Fills the requantization of desc from the types, as the reference does
// (int_linear.cc MakeChannelRequant): fixed point from the double product,
// the float rule's multiplier as float32 in ONNX Runtime's order.
bool FillQuant(const NodeInfo& info, int64_t channels, x86::QConvDesc* d) {
  float sx, sy;
  int32_t zx, zy;
  if (!PerTensor(info.in(0), &sx, &zx) || !PerTensor(info.out(0), &sy, &zy)) return false;
  const QuantParams& wq = info.in(1).quant;
  if (wq.scale.size() != 1 && static_cast<int64_t>(wq.scale.size()) != channels) return false;
  for (int64_t z : wq.zero_point)
    if (z != 0) return false;
  d->input_zero_point = zx;
  d->output_zero_point = zy;
  const quant::QuantLimits l =
      quant::QuantizedActivationLimits(quant::FusedActivation(*info.node), sy, zy, {-128, 127});
  d->output_min = l.qmin;
  d->output_max = l.qmax;
  d->rule = info.graph->requantization;
  for (float sw : wq.scale) {
    auto m = quant::QuantizeMultiplier(static_cast<double>(sx) * static_cast<double>(sw) / sy);
    if (!m.ok()) return false;
    d->fixed.push_back(*m);
    d->real.push_back(sx * sw / sy);
  }
  return true;
}

Result<std::unique_ptr<PreparedKernel>> Make(const NodeInfo& info, const x86::QConvDesc& d,
                                             const int8_t* w_oihw, int batch, int h, int w) {
  const Tensor* b = info.has_in(2) ? info.constant(2) : nullptr;
  if (info.has_in(2) &&
      (b == nullptr || b->dtype() != DataType::kInt32 || b->num_elements() != d.out_channels))
    return std::unique_ptr<PreparedKernel>();
  auto conv = x86::QConv::Create(d, w_oihw, b != nullptr ? b->data<int32_t>() : nullptr, x86::BestIsa());
  if (!conv.ok()) return std::unique_ptr<PreparedKernel>();  // e.g. a reduction too long for int32
  const size_t ws = (*conv)->WorkspaceBytes(batch, h, w, static_cast<size_t>(std::max(1, info.threads)));
  return std::unique_ptr<PreparedKernel>(std::make_unique<QConvKernel>(std::move(*conv), batch, h, w, ws));
}

}  // namespace

bool FillWindow(const ops::ConvShape& s, x86::QConvDesc* d) {
  d->kernel_h = static_cast<int>(s.window.kernel[0]);
  d->kernel_w = static_cast<int>(s.window.kernel[1]);
  d->stride_h = static_cast<int>(s.window.strides[0]);
  d->stride_w = static_cast<int>(s.window.strides[1]);
  d->dilation_h = static_cast<int>(s.window.dilations[0]);
  d->dilation_w = static_cast<int>(s.window.dilations[1]);
  d->pad_top = static_cast<int>(s.window.pad_begin[0]);
  d->pad_left = static_cast<int>(s.window.pad_begin[1]);
  d->pad_bottom = static_cast<int>(s.window.pad_end[0]);
  d->pad_right = static_cast<int>(s.window.pad_end[1]);
  return d->pad_top >= 0 && d->pad_left >= 0 && d->pad_bottom >= 0 && d->pad_right >= 0;
}

bool OwnQConvRunsNhwc(const ir::Graph& graph, const ir::Node& node) {
  const ir::TensorType* x = NhwcInput(graph, node);
  return node.op == OpKind::kConv && x != nullptr && x->dtype == DataType::kInt8 &&
         InputDtype(graph, node, 1) == DataType::kInt8 && node.attrs.GetInt("group", 1) == 1;
}

Result<std::unique_ptr<PreparedKernel>> CreateOwnQConv(const NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kConv || node.attrs.GetString("qf_layout", "") != "NHWC")
    return std::unique_ptr<PreparedKernel>();
  if (info.num_inputs() < 2 || info.constant(1) == nullptr || info.in(1).dtype != DataType::kInt8 ||
      info.in(1).quant.empty())
    return std::unique_ptr<PreparedKernel>();
  const std::vector<int64_t>& x = info.in(0).dims;
  const Tensor& w = *info.constant(1);
  if (x.size() != 4 || w.rank() != 4) return std::unique_ptr<PreparedKernel>();
  ops::ConvShape s;
  if (!ops::ResolveConvShape(node.attrs, std::vector<int64_t>{x[0], x[3], x[1], x[2]}, w.dims(), &s).ok() ||
      s.group != 1)
    return std::unique_ptr<PreparedKernel>();
  x86::QConvDesc d;
  d.in_channels = static_cast<int>(s.in_channels);
  d.out_channels = static_cast<int>(s.out_channels);
  if (!FillWindow(s, &d)) return std::unique_ptr<PreparedKernel>();
  if (!FillQuant(info, s.out_channels, &d)) return std::unique_ptr<PreparedKernel>();
  auto k =
      Make(info, d, w.data<int8_t>(), static_cast<int>(x[0]), static_cast<int>(x[1]), static_cast<int>(x[2]));
  if (k.ok() && *k != nullptr)
    static_cast<QConvKernel*>(k->get())->set_pads(s.window.pad_begin, s.window.pad_end);
  return k;
}

bool IsPlainGemm(const ir::Node& node) {
  return node.op == OpKind::kGemm && node.attrs.GetInt("transA", 0) == 0 &&
         node.attrs.GetFloat("alpha", 1.0f) == 1.0f && node.attrs.GetFloat("beta", 1.0f) == 1.0f;
}

std::vector<int8_t> FullyConnectedWeight(const Tensor& w, bool trans_b) {
  const int64_t k = trans_b ? w.dim(1) : w.dim(0), n = trans_b ? w.dim(0) : w.dim(1);
  std::vector<int8_t> w_nk(static_cast<size_t>(n * k));
  const int8_t* wv = w.data<int8_t>();
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      w_nk[static_cast<size_t>(r * k + c)] = wv[trans_b ? r * k + c : c * n + r];
  return w_nk;
}

Result<std::unique_ptr<PreparedKernel>> CreateOwnQGemm(const NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kGemm || info.num_inputs() < 2 || info.constant(1) == nullptr ||
      info.in(1).dtype != DataType::kInt8 || info.in(1).quant.empty())
    return std::unique_ptr<PreparedKernel>();
  if (!IsPlainGemm(node)) return std::unique_ptr<PreparedKernel>();
  const std::vector<int64_t>& x = info.in(0).dims;
  const Tensor& w = *info.constant(1);
  if (x.size() != 2 || w.rank() != 2) return std::unique_ptr<PreparedKernel>();
  const bool trans_b = node.attrs.GetInt("transB", 0) != 0;
  const int64_t k = trans_b ? w.dim(1) : w.dim(0), m = trans_b ? w.dim(0) : w.dim(1);
  if (x[1] != k) return std::unique_ptr<PreparedKernel>();
  const QuantParams& wq = info.in(1).quant;
  if (wq.per_axis() && wq.axis != (trans_b ? 0 : 1)) return std::unique_ptr<PreparedKernel>();
  const std::vector<int8_t> w_mk = FullyConnectedWeight(w, trans_b);
  x86::QConvDesc d;
  d.in_channels = static_cast<int>(k);
  d.out_channels = static_cast<int>(m);
  if (!FillQuant(info, m, &d)) return std::unique_ptr<PreparedKernel>();
  // Rows of X are the "pixels" of a 1x1 convolution: batch N, 1 x 1 image.
  return Make(info, d, w_mk.data(), static_cast<int>(x[0]), 1, 1);
}

}  // namespace qforge::kernels::opt
