// Hybrid (dynamic-range) Conv / Gemm / MatMul on qforge's own int8 GEMM.
//
// Per inference: the float input is quantized as DynamicQuantizeLinear (the
// uint8 value q held as int8 q - 128 with zero point Z - 128, the same
// arithmetic), QConv::RunInt32 writes the int32 accumulators
// sum (q - Z) * w into the float output buffer (same size), and the epilogue
// turns each into float(acc) * (S_x * S_w[c]) (+ bias) in place, three
// separate float32 operations as in ref HybridOutput. This file is compiled
// for baseline x86-64, which has no FMA, so nothing is contracted.
#include "runtime/kernels/opt/hybrid_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/conv_attrs.h"
#include "quant/arithmetic.h"
#include "quant/fused_activation.h"
#include "runtime/kernels/x86/qconv.h"

namespace qforge::kernels::opt {

namespace {

using KernelPtr = std::unique_ptr<PreparedKernel>;

constexpr size_t kAlign = 64;
size_t RoundUp(size_t v, size_t m) { return (v + m - 1) / m * m; }

struct DynamicParams {
  float scale = 1.0f;
  int32_t zero_point = 0;  // uint8 domain
};

// The range and parameters exactly as ref QuantizeDynamic computes them
// (same comparisons, so the same signed zeros and NaN handling).
DynamicParams ChooseParams(const float* x, int64_t count) {
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < count; ++i) {
    const float v = x[i];
    if (std::isnan(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  constexpr int32_t kQmin = 0, kQmax = 255;
  DynamicParams d;
  d.scale = hi == lo ? 1.0f : (hi - lo) / static_cast<float>(kQmax - kQmin);
  const float initial_zero_point = (static_cast<float>(kQmin) - lo) / d.scale;
  const double rounded = quant::RoundToIntegral(initial_zero_point, quant::RoundingRule::kHalfToEven);
  d.zero_point =
      std::isnan(rounded) ? kQmin : static_cast<int32_t>(std::clamp<double>(rounded, kQmin, kQmax));
  return d;
}

// q - 128 for q = clamp(round_half_even(x / S) + Z, 0, 255), NaN -> Z
// (quant::QuantizeValue). The quotient is a float32, so rounding it in float
// gives the double rounding's integer; |r| < 2^23 keeps r + Z exact and
// anything larger clamps to the same end.
void QuantizeInt8(const float* x, int64_t count, DynamicParams p, int8_t* q) {
  const float zf = static_cast<float>(p.zero_point);
  for (int64_t i = 0; i < count; ++i) {
    const float quotient = x[i] / p.scale;
    int32_t v;
    if (std::isnan(quotient)) {
      v = p.zero_point;
    } else {
      const float r = std::nearbyint(std::clamp(quotient, -1.0e7f, 1.0e7f)) + zf;
      v = r <= 0.0f ? 0 : r >= 255.0f ? 255 : static_cast<int32_t>(r);
    }
    q[i] = static_cast<int8_t>(v - 128);
  }
}

// What one node needs besides the GEMM: the weight scale per output channel
// and the bias, read as bias[row * row_stride + c * col_stride].
struct Epilogue {
  std::vector<float> w_scale;  // n entries
  int bias_input = -1;         // input index of the float bias, or -1
  int64_t bias_row_stride = 0, bias_col_stride = 1;
  quant::ActivationRange activation;
};

class HybridKernel final : public PreparedKernel {
 public:
  HybridKernel(std::string name, std::unique_ptr<x86::QConv> conv, int batch, int h, int w, int64_t x_count,
               int64_t rows, int64_t n, Epilogue e, int threads)
      : name_(std::move(name)),
        conv_(std::move(conv)),
        batch_(batch),
        h_(h),
        w_(w),
        x_count_(x_count),
        rows_(rows),
        n_(n),
        e_(std::move(e)) {
    x_bytes_ = RoundUp(static_cast<size_t>(x_count_), kAlign);
    workspace_ = x_bytes_ + conv_->WorkspaceBytes(batch_, h_, w_, static_cast<size_t>(std::max(1, threads)));
  }
  std::string name() const override { return name_; }
  size_t workspace_bytes() const override { return workspace_; }

  Status Run(KernelContext& ctx, const RunResources& res) override {
    const float* x = ctx.in(0).data<float>();
    const DynamicParams p = ChooseParams(x, x_count_);
    int8_t* xq = static_cast<int8_t*>(res.workspace);
    QuantizeInt8(x, x_count_, p, xq);
    float* y = ctx.out(0).data<float>();
    // The accumulators go to the output buffer (int32 and float are both 4
    // bytes) and are replaced in place.
    conv_->RunInt32(xq, p.zero_point - 128, batch_, h_, w_, reinterpret_cast<int32_t*>(y),
                    static_cast<uint8_t*>(res.workspace) + x_bytes_, res.pool);
    const float* bias =
        e_.bias_input >= 0 ? ctx.in(static_cast<size_t>(e_.bias_input)).data<float>() : nullptr;
    for (int64_t r = 0; r < rows_; ++r) {
      float* row = y + r * n_;
      const float* brow = bias != nullptr ? bias + r * e_.bias_row_stride : nullptr;
      for (int64_t c = 0; c < n_; ++c) {
        int32_t acc;
        std::memcpy(&acc, row + c, sizeof acc);
        const float scale = p.scale * e_.w_scale[static_cast<size_t>(c)];
        const float scaled = static_cast<float>(acc) * scale;
        row[c] = brow != nullptr ? scaled + brow[c * e_.bias_col_stride] : scaled;
      }
    }
    if (!e_.activation.unbounded()) quant::ApplyActivation(e_.activation, &ctx.out(0));
    return Status::Ok();
  }

 private:
  std::string name_;
  std::unique_ptr<x86::QConv> conv_;
  int batch_, h_, w_;
  int64_t x_count_, rows_, n_;
  Epilogue e_;
  size_t x_bytes_ = 0, workspace_ = 0;
};

// The int8 weight's per-channel scales (one for all, or one per channel),
// symmetric; false when the node is not one this kernel takes.
bool WeightScales(const ir::TensorType& w, int64_t channels, std::vector<float>* out) {
  const QuantParams& q = w.quant;
  if (w.dtype != DataType::kInt8 || q.scale.empty()) return false;
  if (q.scale.size() != 1 && static_cast<int64_t>(q.scale.size()) != channels) return false;
  for (int64_t z : q.zero_point)
    if (z != 0) return false;
  out->resize(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c)
    (*out)[static_cast<size_t>(c)] = q.scale[q.scale.size() == 1 ? 0 : c];
  return true;
}

// "conv2d_qs8_qc8w_fixedpoint_avx512vnni_6x64" -> op + "_f32_qd8_qc8w_dynamic_avx512vnni_6x64".
std::string HybridName(const char* op, const x86::QConv& conv) {
  const std::string inner = conv.name();
  const size_t isa = inner.find("fixedpoint_");
  return std::string(op) + "_f32_qd8_qc8w_dynamic_" +
         (isa == std::string::npos ? inner : inner.substr(isa + std::string("fixedpoint_").size()));
}

bool IsFloat(const NodeInfo& info, size_t i) {
  return info.has_in(i) && info.in(i).dtype == DataType::kFloat32;
}

// A fully connected layer [m, k] x w_nk^T: the GEMM as a 1x1 convolution.
Result<KernelPtr> MakeFullyConnected(const NodeInfo& info, const char* op, const std::vector<int8_t>& w_nk,
                                     int64_t m, int64_t k, int64_t n, Epilogue e) {
  if (m < 1 || k < 1 || n < 1 || m > (int64_t{1} << 30)) return KernelPtr();
  x86::QConvDesc d;
  d.in_channels = static_cast<int>(k);
  d.out_channels = static_cast<int>(n);
  d.fixed.push_back({int32_t{1} << 30, 0});  // unused by RunInt32
  auto conv = x86::QConv::Create(d, w_nk.data(), nullptr, x86::BestIsa());
  if (!conv.ok()) return KernelPtr();
  std::string name = HybridName(op, **conv);
  return KernelPtr(std::make_unique<HybridKernel>(std::move(name), std::move(*conv), static_cast<int>(m), 1,
                                                  1, m * k, m, n, std::move(e), info.threads));
}

}  // namespace

Result<KernelPtr> CreateHybridConv(const NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kConv || node.attrs.GetString("qf_layout", "") != "NHWC") return KernelPtr();
  if (info.num_inputs() < 2 || !IsFloat(info, 0) || info.constant(1) == nullptr || info.out_types.empty() ||
      info.out(0).dtype != DataType::kFloat32)
    return KernelPtr();
  const std::vector<int64_t>& x = info.in(0).dims;
  const Tensor& w = *info.constant(1);
  if (x.size() != 4 || w.rank() != 4 || w.dtype() != DataType::kInt8) return KernelPtr();
  ops::ConvShape s;
  if (!ops::ResolveConvShape(node.attrs, std::vector<int64_t>{x[0], x[3], x[1], x[2]}, w.dims(), &s).ok() ||
      s.group != 1 || s.window.kernel.size() != 2)
    return KernelPtr();
  Epilogue e;
  if (!WeightScales(info.in(1), s.out_channels, &e.w_scale)) return KernelPtr();
  if (info.has_in(2)) {
    const ir::TensorType& b = info.in(2);
    if (b.dtype != DataType::kFloat32 || !b.rank_known || b.dims.size() != 1 || b.dims[0] != s.out_channels)
      return KernelPtr();
    e.bias_input = 2;
  }
  x86::QConvDesc d;
  d.in_channels = static_cast<int>(s.in_channels);
  d.out_channels = static_cast<int>(s.out_channels);
  d.kernel_h = static_cast<int>(s.window.kernel[0]);
  d.kernel_w = static_cast<int>(s.window.kernel[1]);
  d.stride_h = static_cast<int>(s.window.strides[0]);
  d.stride_w = static_cast<int>(s.window.strides[1]);
  d.dilation_h = static_cast<int>(s.window.dilations[0]);
  d.dilation_w = static_cast<int>(s.window.dilations[1]);
  d.pad_top = static_cast<int>(s.window.pad_begin[0]);
  d.pad_left = static_cast<int>(s.window.pad_begin[1]);
  d.pad_bottom = static_cast<int>(s.window.pad_end[0]);
  d.pad_right = static_cast<int>(s.window.pad_end[1]);
  if (d.pad_top < 0 || d.pad_left < 0 || d.pad_bottom < 0 || d.pad_right < 0) return KernelPtr();
  d.fixed.push_back({int32_t{1} << 30, 0});  // unused by RunInt32
  auto conv = x86::QConv::Create(d, w.data<int8_t>(), nullptr, x86::BestIsa());
  if (!conv.ok()) return KernelPtr();
  const int batch = static_cast<int>(x[0]), h = static_cast<int>(x[1]), wd = static_cast<int>(x[2]);
  const int64_t rows = int64_t{batch} * (*conv)->OutputHeight(h) * (*conv)->OutputWidth(wd);
  if ((*conv)->OutputHeight(h) < 1 || (*conv)->OutputWidth(wd) < 1) return KernelPtr();
  e.activation = quant::FusedActivation(node);
  std::string name = HybridName("conv2d", **conv);
  return KernelPtr(std::make_unique<HybridKernel>(std::move(name), std::move(*conv), batch, h, wd,
                                                  x[0] * x[1] * x[2] * x[3], rows, s.out_channels,
                                                  std::move(e), info.threads));
}

Result<KernelPtr> CreateHybridGemm(const NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kGemm || info.num_inputs() < 2 || !IsFloat(info, 0) || info.constant(1) == nullptr ||
      info.out_types.empty() || info.out(0).dtype != DataType::kFloat32)
    return KernelPtr();
  if (node.attrs.GetInt("transA", 0) != 0 || node.attrs.GetFloat("alpha", 1.0f) != 1.0f ||
      node.attrs.GetFloat("beta", 1.0f) != 1.0f)
    return KernelPtr();
  const std::vector<int64_t>& x = info.in(0).dims;
  const Tensor& w = *info.constant(1);
  if (x.size() != 2 || w.rank() != 2 || w.dtype() != DataType::kInt8) return KernelPtr();
  const bool trans_b = node.attrs.GetInt("transB", 0) != 0;
  const int64_t k = trans_b ? w.dim(1) : w.dim(0), n = trans_b ? w.dim(0) : w.dim(1), m = x[0];
  if (x[1] != k) return KernelPtr();
  Epilogue e;
  if (!WeightScales(info.in(1), n, &e.w_scale)) return KernelPtr();
  if (info.has_in(2)) {
    // C broadcast to (M, N) as in ref RunHybridGemm.
    const ir::TensorType& c = info.in(2);
    if (c.dtype != DataType::kFloat32 || !c.rank_known || c.dims.size() > 2) return KernelPtr();
    const int rank = static_cast<int>(c.dims.size());
    const int64_t rows = rank == 2 ? c.dims[0] : 1;
    const int64_t cols = rank >= 1 ? c.dims[static_cast<size_t>(rank - 1)] : 1;
    if ((rows != 1 && rows != m) || (cols != 1 && cols != n)) return KernelPtr();
    e.bias_input = 2;
    e.bias_col_stride = cols == 1 ? 0 : 1;
    e.bias_row_stride = rows == 1 ? 0 : cols;
  }
  e.activation = quant::FusedActivation(node);
  std::vector<int8_t> w_nk(static_cast<size_t>(n * k));
  const int8_t* wv = w.data<int8_t>();
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      w_nk[static_cast<size_t>(r * k + c)] = wv[trans_b ? r * k + c : c * n + r];
  return MakeFullyConnected(info, "fully_connected", w_nk, m, k, n, std::move(e));
}

Result<KernelPtr> CreateHybridMatMul(const NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kMatMul || info.num_inputs() != 2 || !IsFloat(info, 0) ||
      info.constant(1) == nullptr || info.out_types.empty() || info.out(0).dtype != DataType::kFloat32)
    return KernelPtr();
  const std::vector<int64_t>& x = info.in(0).dims;
  const Tensor& w = *info.constant(1);
  if (x.size() != 2 || w.rank() != 2 || w.dtype() != DataType::kInt8 || x[1] != w.dim(0)) return KernelPtr();
  const int64_t m = x[0], k = x[1], n = w.dim(1);
  Epilogue e;
  if (!WeightScales(info.in(1), n, &e.w_scale)) return KernelPtr();
  e.activation = quant::FusedActivation(node);
  std::vector<int8_t> w_nk(static_cast<size_t>(n * k));
  const int8_t* wv = w.data<int8_t>();
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c) w_nk[static_cast<size_t>(r * k + c)] = wv[c * n + r];
  return MakeFullyConnected(info, "matmul", w_nk, m, k, n, std::move(e));
}

}  // namespace qforge::kernels::opt
