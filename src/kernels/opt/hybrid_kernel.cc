// Hybrid (dynamic-range) Conv / Gemm / MatMul on qforge's own int8 GEMM.
//
// Per inference: the float input is quantized as DynamicQuantizeLinear (the
// uint8 value q held as int8 q - 128 with zero point Z - 128, the same
// arithmetic), QConv::RunInt32 writes the int32 accumulators
// sum (q - Z) * w into the float output buffer (same size), and the epilogue
// turns each into float(acc) * (S_x * S_w[c]) (+ bias) in place, three
// separate float32 operations as in ref HybridOutput. This file is compiled
// for baseline x86-64, which has no FMA, so nothing is contracted.
#include "kernels/opt/hybrid_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/opt/qconv_kernel.h"
#include "kernels/x86/qconv.h"
#include "ops/conv_attrs.h"
#include "qscheme/arithmetic.h"
#include "qscheme/fused_activation.h"

namespace qforge::kernels::opt {

namespace {

using KernelPtr = std::unique_ptr<PreparedKernel>;

constexpr size_t kAlign = 64;
size_t RoundUp(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Runs f(task) for task in [0, tasks) on the pool (or the calling thread).
template <typename F>
void Thunk(void* f, size_t task) {
  (*static_cast<F*>(f))(static_cast<int64_t>(task));
}
template <typename F>
void ParallelFor(pthreadpool_t pool, int64_t tasks, F f) {
  if (pool == nullptr || tasks <= 1) {
    for (int64_t t = 0; t < tasks; ++t) f(t);
    return;
  }
  pthreadpool_parallelize_1d(pool, &Thunk<F>, &f, static_cast<size_t>(tasks), 0);
}

// Below this many elements a loop runs on the calling thread alone.
constexpr int64_t kMinParallelElements = 16384;

// q - 128 for q = clamp(round_half_even(x / S) + Z, 0, 255), NaN -> Z
// (quant::QuantizeValue). The quotient is a float32, so rounding it in float
// gives the double rounding's integer; |r| < 2^23 keeps r + Z exact and
// anything larger clamps to the same end.
void QuantizeInt8(const float* x, int64_t count, quant::AffineParams p, int8_t* q) {
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

// A depthwise convolution (one output channel per input channel), NHWC:
// weights as [kernel_h * kernel_w][channels] int16 so that a pixel's channels
// are contiguous in x, w and y.
struct Depthwise {
  int channels = 0, out_h = 0, out_w = 0;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;
  std::vector<int16_t> w;

  // acc[c] = sum over the taps inside the image of (q - zq) * w: the padding
  // reads the zero point, which adds 0. |products| <= 255 * 127 fit int16 and
  // kernel_h * kernel_w <= 65536 keeps the int32 sums exact.
  void Rows(const int8_t* xq, int32_t zq, int h, int w_in, int64_t r0, int64_t r1, int32_t* acc) const {
    const size_t c_count = static_cast<size_t>(channels);
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / (int64_t{out_h} * out_w);
      const int oy = static_cast<int>(r / out_w % out_h), ox = static_cast<int>(r % out_w);
      int32_t* out = acc + r * channels;
      std::fill(out, out + c_count, 0);
      for (int ky = 0; ky < kernel_h; ++ky) {
        const int iy = oy * stride_h - pad_top + ky * dilation_h;
        if (iy < 0 || iy >= h) continue;
        for (int kx = 0; kx < kernel_w; ++kx) {
          const int ix = ox * stride_w - pad_left + kx * dilation_w;
          if (ix < 0 || ix >= w_in) continue;
          const int8_t* px = xq + ((b * h + iy) * w_in + ix) * channels;
          const int16_t* wk = w.data() + static_cast<size_t>(ky * kernel_w + kx) * c_count;
          for (size_t c = 0; c < c_count; ++c) {
            out[c] += static_cast<int16_t>((px[c] - zq) * wk[c]);
          }
        }
      }
    }
  }
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
    scale_bytes_ = RoundUp(static_cast<size_t>(n_) * sizeof(float), kAlign);
    workspace_ =
        x_bytes_ + scale_bytes_ +
        (conv_ != nullptr ? conv_->WorkspaceBytes(batch_, h_, w_, static_cast<size_t>(std::max(1, threads)))
                          : 0);
    threads_ = std::max(1, threads);
    partial_bytes_ = RoundUp(2 * static_cast<size_t>(threads_) * sizeof(float), kAlign);
    workspace_ += partial_bytes_;
    // QFORGE_ISA=portable (tests) keeps the scalar loops too.
    avx2_ = x86::BestIsa() != x86::Isa::kPortable;
  }
  // The depthwise form: no GEMM.
  HybridKernel(std::string name, Depthwise dw, int batch, int h, int w, int64_t x_count, int64_t rows,
               Epilogue e, int threads)
      : HybridKernel(std::move(name), nullptr, batch, h, w, x_count, rows, dw.channels, std::move(e),
                     threads) {
    dw_ = std::move(dw);
  }
  std::string name() const override { return name_; }
  size_t workspace_bytes() const override { return workspace_; }

  // Quantize x (range, then values), the GEMM, then the epilogue; the
  // elementwise phases split over the pool's threads like the GEMM.
  Status Run(KernelContext& ctx, const RunResources& res) override {
    const float* x = ctx.in(0).data<float>();
    uint8_t* ws = static_cast<uint8_t*>(res.workspace);
    int8_t* xq = reinterpret_cast<int8_t*>(ws);
    float* scale = reinterpret_cast<float*>(ws + x_bytes_);
    float* partial = reinterpret_cast<float*>(ws + x_bytes_ + scale_bytes_);
    void* gemm_ws = ws + x_bytes_ + scale_bytes_ + partial_bytes_;
    const int64_t pool_threads =
        res.pool != nullptr ? static_cast<int64_t>(pthreadpool_get_threads_count(res.pool)) : 1;
    const int64_t threads = std::min<int64_t>(pool_threads, threads_);

    // Chunks of x in multiples of 32 elements (the AVX2 loop's step).
    const int64_t x_tasks = x_count_ >= kMinParallelElements ? threads : 1;
    auto x_chunk = [&](int64_t t, int64_t* begin, int64_t* end) {
      *begin = t * x_count_ / x_tasks / 32 * 32;
      *end = t + 1 == x_tasks ? x_count_ : (t + 1) * x_count_ / x_tasks / 32 * 32;
    };
    ParallelFor(res.pool, x_tasks, [&](int64_t t) {
      int64_t b, e;
      x_chunk(t, &b, &e);
      const quant::RealRange r = avx2_ ? hybrid_avx2::Range(x + b, e - b)
                                       : quant::DynamicQuantizeRange({x + b, static_cast<size_t>(e - b)});
      partial[2 * t] = r.lo;
      partial[2 * t + 1] = r.hi;
    });
    float lo = 0.0f, hi = 0.0f;
    for (int64_t t = 0; t < x_tasks; ++t) {
      lo = std::min(lo, partial[2 * t]);
      hi = std::max(hi, partial[2 * t + 1]);
    }
    const quant::AffineParams p = quant::DynamicQuantizeParams(lo, hi);
    ParallelFor(res.pool, x_tasks, [&](int64_t t) {
      int64_t b, e;
      x_chunk(t, &b, &e);
      if (avx2_) {
        hybrid_avx2::Quantize(x + b, e - b, p.scale, p.zero_point, xq + b);
      } else {
        QuantizeInt8(x + b, e - b, p, xq + b);
      }
    });

    float* y = ctx.out(0).data<float>();
    // The accumulators go to the output buffer (int32 and float are both 4
    // bytes) and are replaced in place.
    int32_t* acc = reinterpret_cast<int32_t*>(y);
    if (conv_ != nullptr) {
      conv_->RunInt32(xq, p.zero_point - 128, batch_, h_, w_, acc, gemm_ws, res.pool);
    } else {
      const int64_t dw_tasks = std::min(rows_, rows_ * n_ >= kMinParallelElements ? threads : 1);
      ParallelFor(res.pool, dw_tasks, [&](int64_t t) {
        dw_.Rows(xq, p.zero_point - 128, h_, w_, t * rows_ / dw_tasks, (t + 1) * rows_ / dw_tasks, acc);
      });
    }

    const float* bias =
        e_.bias_input >= 0 ? ctx.in(static_cast<size_t>(e_.bias_input)).data<float>() : nullptr;
    // S_x * S_w[c]: one float32 product, as in HybridOutput.
    for (int64_t c = 0; c < n_; ++c) scale[c] = p.scale * e_.w_scale[static_cast<size_t>(c)];
    const bool vector = avx2_ && (bias == nullptr || e_.bias_col_stride == 1);
    const int64_t y_tasks = std::min(rows_, rows_ * n_ >= kMinParallelElements ? threads : 1);
    ParallelFor(res.pool, y_tasks, [&](int64_t t) {
      const int64_t r0 = t * rows_ / y_tasks, r1 = (t + 1) * rows_ / y_tasks;
      if (vector) {
        hybrid_avx2::Epilogue(y + r0 * n_, r1 - r0, n_, scale,
                              bias != nullptr ? bias + r0 * e_.bias_row_stride : nullptr, e_.bias_row_stride,
                              e_.activation.min, e_.activation.max);
      } else {
        ScalarEpilogue(y, r0, r1, scale, bias);
      }
    });
    return Status::Ok();
  }

 private:
  // Rows [r0, r1): as ref HybridOutput, then the fused clamp as
  // quant::ApplyActivation applies it.
  void ScalarEpilogue(float* y, int64_t r0, int64_t r1, const float* scale, const float* bias) const {
    const float lo = e_.activation.min, hi = e_.activation.max;
    for (int64_t r = r0; r < r1; ++r) {
      float* row = y + r * n_;
      const float* brow = bias != nullptr ? bias + r * e_.bias_row_stride : nullptr;
      for (int64_t c = 0; c < n_; ++c) {
        int32_t acc;
        std::memcpy(&acc, row + c, sizeof acc);
        const float scaled = static_cast<float>(acc) * scale[c];
        float v = brow != nullptr ? scaled + brow[c * e_.bias_col_stride] : scaled;
        if (v < lo) v = lo;
        if (v > hi) v = hi;
        row[c] = v;
      }
    }
  }

  std::string name_;
  std::unique_ptr<x86::QConv> conv_;  // nullptr: depthwise
  Depthwise dw_;
  int batch_, h_, w_;
  int64_t x_count_, rows_, n_;
  Epilogue e_;
  size_t x_bytes_ = 0, scale_bytes_ = 0, partial_bytes_ = 0, workspace_ = 0;
  int threads_ = 1;
  bool avx2_ = false;
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

// A convolution's weight scales and its optional float32 bias (one per
// output channel); false when the node is not one this kernel takes.
bool ConvEpilogue(const NodeInfo& info, int64_t channels, Epilogue* e) {
  if (!WeightScales(info.in(1), channels, &e->w_scale)) return false;
  if (info.has_in(2)) {
    const ir::TensorType& b = info.in(2);
    if (b.dtype != DataType::kFloat32 || !b.rank_known || b.dims.size() != 1 || b.dims[0] != channels)
      return false;
    e->bias_input = 2;
  }
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

// Float32 activations with int8 weights: the hybrid form.
bool IsHybridConv(const ir::Graph& graph, const ir::Node& node) {
  const ir::TensorType* x = NhwcInput(graph, node);
  return node.op == OpKind::kConv && x != nullptr && x->dtype == DataType::kFloat32 &&
         InputDtype(graph, node, 1) == DataType::kInt8;
}

}  // namespace

bool HybridConvRunsNhwc(const ir::Graph& graph, const ir::Node& node) {
  return IsHybridConv(graph, node) && node.attrs.GetInt("group", 1) == 1;
}

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
  if (!ConvEpilogue(info, s.out_channels, &e)) return KernelPtr();
  x86::QConvDesc d;
  d.in_channels = static_cast<int>(s.in_channels);
  d.out_channels = static_cast<int>(s.out_channels);
  if (!FillWindow(s, &d)) return KernelPtr();
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

// One group per input channel (IR layout: C is dim 1), one output channel each.
bool HybridDepthwiseConvRunsNhwc(const ir::Graph& graph, const ir::Node& node) {
  if (!IsHybridConv(graph, node)) return false;
  const int64_t group = node.attrs.GetInt("group", 1);
  const std::vector<int64_t>& w = graph.value(node.inputs[1]).type.dims;
  return group == graph.value(node.inputs[0]).type.dims[1] && !w.empty() && w[0] == group;
}

Result<KernelPtr> CreateHybridDepthwiseConv(const NodeInfo& info) {
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
      s.group != s.in_channels || s.out_channels != s.in_channels || s.window.kernel.size() != 2)
    return KernelPtr();
  Epilogue e;
  if (!ConvEpilogue(info, s.out_channels, &e)) return KernelPtr();
  Depthwise d;
  d.channels = static_cast<int>(s.in_channels);
  d.kernel_h = static_cast<int>(s.window.kernel[0]);
  d.kernel_w = static_cast<int>(s.window.kernel[1]);
  d.stride_h = static_cast<int>(s.window.strides[0]);
  d.stride_w = static_cast<int>(s.window.strides[1]);
  d.dilation_h = static_cast<int>(s.window.dilations[0]);
  d.dilation_w = static_cast<int>(s.window.dilations[1]);
  d.pad_top = static_cast<int>(s.window.pad_begin[0]);
  d.pad_left = static_cast<int>(s.window.pad_begin[1]);
  d.out_h = static_cast<int>(s.window.out[0]);
  d.out_w = static_cast<int>(s.window.out[1]);
  if (d.out_h < 1 || d.out_w < 1 || int64_t{d.kernel_h} * d.kernel_w > 65536) return KernelPtr();
  const size_t taps = static_cast<size_t>(d.kernel_h * d.kernel_w), c_count = static_cast<size_t>(d.channels);
  d.w.resize(taps * c_count);
  const int8_t* wv = w.data<int8_t>();  // [C, 1, kh, kw]
  for (size_t c = 0; c < c_count; ++c)
    for (size_t t = 0; t < taps; ++t) d.w[t * c_count + c] = wv[c * taps + t];
  e.activation = quant::FusedActivation(node);
  const int64_t rows = x[0] * d.out_h * d.out_w;
  // The accumulation is portable C++ (baseline x86-64); with AVX2 the
  // quantization and the epilogue are vectorized ("+avx2q").
  std::string name = std::string("dwconv2d_f32_qd8_qc8w_dynamic_portable") +
                     (x86::BestIsa() != x86::Isa::kPortable ? "+avx2q" : "");
  return KernelPtr(std::make_unique<HybridKernel>(
      std::move(name), std::move(d), static_cast<int>(x[0]), static_cast<int>(x[1]), static_cast<int>(x[2]),
      x[0] * x[1] * x[2] * x[3], rows, std::move(e), info.threads));
}

Result<KernelPtr> CreateHybridGemm(const NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kGemm || info.num_inputs() < 2 || !IsFloat(info, 0) || info.constant(1) == nullptr ||
      info.out_types.empty() || info.out(0).dtype != DataType::kFloat32)
    return KernelPtr();
  if (!IsPlainGemm(node)) return KernelPtr();
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
  return MakeFullyConnected(info, "fully_connected", FullyConnectedWeight(w, trans_b), m, k, n, std::move(e));
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
  return MakeFullyConnected(info, "matmul", FullyConnectedWeight(w, false), m, k, n, std::move(e));
}

}  // namespace qforge::kernels::opt
