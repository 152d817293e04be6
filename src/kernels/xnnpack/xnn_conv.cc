// Conv (2-D NHWC, or 1-D NCW in float; any group count incl. depthwise) and Gemm through
// XNNPACK: float32, and int8 activations with int8 per-channel or per-tensor
// weights (XNNPACK "qc8"), requantization fused.
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/opt/convert_kernels.h"
#include "kernels/xnnpack/xnn_common.h"
#include "kernels/xnnpack/xnn_kernels.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::xnn {

namespace {

bool IsInt8Quantized(const ir::TensorType& t) { return t.dtype == DataType::kInt8 && !t.quant.empty(); }

// The conv geometry of a 2-D NHWC conv, or of a 1-D NCW conv as a 2-D one
// with H = 1.
struct Geometry {
  int64_t n = 0, c = 0, h = 0, w = 0, m = 0, group = 1;
  int64_t kh = 0, kw = 0, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;
  int64_t oh = 0, ow = 0;
};

// x is NHWC (rank 4) or NCW (rank 3); w is OIHW or OIW.
bool ResolveGeometry(const ir::Node& node, const std::vector<int64_t>& x, const std::vector<int64_t>& w_dims,
                     Geometry* g) {
  if ((x.size() != 4 && x.size() != 3) || w_dims.size() != x.size()) return false;
  const std::vector<int64_t> x_nchw = x.size() == 3 ? x : std::vector<int64_t>{x[0], x[3], x[1], x[2]};
  ops::ConvShape s;
  if (!ops::ResolveConvShape(node.attrs, x_nchw, w_dims, &s).ok()) return false;
  const ops::Window3D win = ops::ToWindow3D(s.window);  // [unit, H, W] / [unit, unit, W]
  g->n = s.batch;
  g->c = s.in_channels;
  g->m = s.out_channels;
  g->group = s.group;
  g->h = win.in[1];
  g->w = win.in[2];
  g->kh = win.kernel[1];
  g->kw = win.kernel[2];
  g->sh = win.stride[1];
  g->sw = win.stride[2];
  g->dh = win.dilation[1];
  g->dw = win.dilation[2];
  g->pt = win.pad_begin[1];
  g->pl = win.pad_begin[2];
  g->pb = win.pad_end[1];
  g->pr = win.pad_end[2];
  g->oh = win.out[1];
  g->ow = win.out[2];
  // XNNPACK computes the output size with the floor formula and cannot take
  // negative (cropping) pads.
  const int64_t eh = (g->kh - 1) * g->dh + 1, ew = (g->kw - 1) * g->dw + 1;
  return g->pt >= 0 && g->pl >= 0 && g->pb >= 0 && g->pr >= 0 &&
         (g->h + g->pt + g->pb - eh) / g->sh + 1 == g->oh && (g->w + g->pl + g->pr - ew) / g->sw + 1 == g->ow;
}

// OIHW -> OHWI ([group * M/group, kh, kw, C/group]: XNNPACK's dense layout,
// which for depthwise (C/group == 1) is the same bytes as OIHW).
template <typename T>
std::vector<T> ToOhwi(const T* w, int64_t o, int64_t i, int64_t kh, int64_t kw) {
  std::vector<T> out(static_cast<size_t>(o * i * kh * kw));
  for (int64_t a = 0; a < o; ++a)
    for (int64_t b = 0; b < i; ++b)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          out[((a * kh + y) * kw + x) * i + b] = w[((a * i + b) * kh + y) * kw + x];
  return out;
}

// The rows of a Gemm / MatMul X (all dims but the last): the pixels of a 1x1 image.
int64_t Rows(const std::vector<int64_t>& x) {
  int64_t n = 1;
  for (size_t i = 0; i + 1 < x.size(); ++i) n *= x[i];
  return n;
}

// A rank-3 (NCW) float conv runs as NHWC with H = 1: X is transposed to NWC
// and Y back from NWC in the workspace (no copy where C or M is 1, as in an
// STFT front end's single input channel).
class ConvKernel final : public opt::PreparedKernel {
 public:
  ConvKernel(Operator op, bool int8, bool ncw, Geometry g, std::string name)
      : op_(std::move(op)), int8_(int8), ncw_(ncw), g_(g), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  bool owns_weights() const override { return true; }
  size_t workspace_bytes() const override { return ncw_ ? (XFloats() + YFloats()) * sizeof(float) : 0; }
  bool Reshape(const opt::NodeInfo& info) override {
    const std::vector<int64_t>& x = info.in(0).dims;
    if (info.node->op == OpKind::kGemm || info.node->op == OpKind::kMatMul) {
      if (x.size() < 2 || x.back() != g_.c) return false;
      g_.n = Rows(x);
      return true;
    }
    Geometry g;
    if (!ResolveGeometry(*info.node, x, info.in(1).dims, &g)) return false;
    // The operator was created with these pads (SAME pads can change with the input size).
    if (g.pt != g_.pt || g.pl != g_.pl || g.pb != g_.pb || g.pr != g_.pr) return false;
    g_ = g;
    return true;
  }
  Status Run(KernelContext& ctx, const opt::RunResources& res) override {
    xnn_status s;
    if (int8_) {
      s = xnn_setup_convolution2d_nhwc_qc8(op_.get(), g_.n, g_.h, g_.w, ctx.in(0).data<int8_t>(),
                                           ctx.out(0).data<int8_t>(), res.pool);
    } else if (ncw_) {
      float* ws = static_cast<float*>(res.workspace);
      const float* x = ctx.in(0).data<float>();
      if (g_.c > 1) {
        opt::BatchedTranspose2D(sizeof(float), x, ws, g_.n, g_.c, g_.w);
        x = ws;
      }
      float* y = g_.m > 1 ? ws + XFloats() : ctx.out(0).data<float>();
      s = xnn_setup_convolution2d_nhwc_f32(op_.get(), g_.n, 1, g_.w, x, y, res.pool);
      if (s == xnn_status_success) s = xnn_run_operator(op_.get(), res.pool);
      if (s != xnn_status_success) return Failed(ctx, "xnn_convolution2d (1-D)", s);
      if (g_.m > 1) opt::BatchedTranspose2D(sizeof(float), y, ctx.out(0).data<float>(), g_.n, g_.ow, g_.m);
      return Status::Ok();
    } else {
      s = xnn_setup_convolution2d_nhwc_f32(op_.get(), g_.n, g_.h, g_.w, ctx.in(0).data<float>(),
                                           ctx.out(0).data<float>(), res.pool);
    }
    if (s != xnn_status_success) return Failed(ctx, "xnn_setup_convolution2d", s);
    s = xnn_run_operator(op_.get(), res.pool);
    return s == xnn_status_success ? Status::Ok() : Failed(ctx, "xnn_run_operator", s);
  }

 private:
  // Workspace floats of the NWC copy of X (64-byte aligned) and of Y.
  size_t XFloats() const {
    constexpr size_t kAlign = 16;
    return g_.c > 1 ? (static_cast<size_t>(g_.n * g_.w * g_.c) + kAlign - 1) / kAlign * kAlign : 0;
  }
  size_t YFloats() const { return g_.m > 1 ? static_cast<size_t>(g_.n * g_.ow * g_.m) : 0; }

  Operator op_;
  bool int8_;
  bool ncw_;
  Geometry g_;
  std::string name_;
};

// The per-output-channel weight scales (a per-tensor scale repeated).
bool WeightScales(const ir::TensorType& w, int64_t m, std::vector<float>* out) {
  const auto& q = w.quant;
  if (q.scale.empty()) return false;
  if (q.scale.size() == 1 && !q.per_axis()) {
    out->assign(static_cast<size_t>(m), q.scale[0]);
  } else if (q.axis == 0 && static_cast<int64_t>(q.scale.size()) == m) {
    *out = q.scale;
  } else {
    return false;
  }
  for (int64_t z : q.zero_point)
    if (z != 0) return false;
  for (float s : *out)
    if (!(s > 0) || !std::isfinite(s)) return false;
  return true;
}

// Creates the qc8 or f32 convolution for weights already in OIHW.
Result<std::unique_ptr<opt::PreparedKernel>> MakeConv(const opt::NodeInfo& info, const Geometry& g,
                                                      const Tensor& w, const Tensor* b, const char* op_name) {
  const ir::Node& node = *info.node;
  const uint32_t groups = static_cast<uint32_t>(g.group);
  const size_t gic = static_cast<size_t>(g.c / g.group), goc = static_cast<size_t>(g.m / g.group);
  xnn_operator_t op = nullptr;
  xnn_status s;
  const bool int8 = info.in(0).dtype == DataType::kInt8;
  if (int8) {
    float sx, sy;
    int32_t zx, zy;
    std::vector<float> sw;
    if (!PerTensorQuant(info.in(0), &sx, &zx) || !PerTensorQuant(info.out(0), &sy, &zy) ||
        !WeightScales(info.in(1), g.m, &sw))
      return std::unique_ptr<opt::PreparedKernel>();
    if (b != nullptr && (b->dtype() != DataType::kInt32 || b->num_elements() != g.m))
      return std::unique_ptr<opt::PreparedKernel>();
    int8_t lo, hi;
    Int8Limits(node, sy, zy, &lo, &hi);
    const std::vector<int8_t> k = ToOhwi(w.data<int8_t>(), g.m, static_cast<int64_t>(gic), g.kh, g.kw);
    s = xnn_create_convolution2d_nhwc_qc8(
        static_cast<uint32_t>(g.pt), static_cast<uint32_t>(g.pr), static_cast<uint32_t>(g.pb),
        static_cast<uint32_t>(g.pl), static_cast<uint32_t>(g.kh), static_cast<uint32_t>(g.kw),
        static_cast<uint32_t>(g.sh), static_cast<uint32_t>(g.sw), static_cast<uint32_t>(g.dh),
        static_cast<uint32_t>(g.dw), groups, gic, goc, static_cast<size_t>(g.c), static_cast<size_t>(g.m),
        static_cast<int8_t>(zx), sx, sw.data(), k.data(), b != nullptr ? b->data<int32_t>() : nullptr,
        static_cast<int8_t>(zy), sy, lo, hi, 0, &op);
  } else {
    if (b != nullptr && (b->dtype() != DataType::kFloat32 || b->num_elements() != g.m))
      return std::unique_ptr<opt::PreparedKernel>();
    float lo, hi;
    FloatLimits(node, &lo, &hi);
    const std::vector<float> k = ToOhwi(w.data<float>(), g.m, static_cast<int64_t>(gic), g.kh, g.kw);
    s = xnn_create_convolution2d_nhwc_f32(
        static_cast<uint32_t>(g.pt), static_cast<uint32_t>(g.pr), static_cast<uint32_t>(g.pb),
        static_cast<uint32_t>(g.pl), static_cast<uint32_t>(g.kh), static_cast<uint32_t>(g.kw),
        static_cast<uint32_t>(g.sh), static_cast<uint32_t>(g.sw), static_cast<uint32_t>(g.dh),
        static_cast<uint32_t>(g.dw), groups, gic, goc, static_cast<size_t>(g.c), static_cast<size_t>(g.m),
        k.data(), b != nullptr ? b->data<float>() : nullptr, lo, hi, 0, &op);
  }
  // Parameters XNNPACK cannot represent (a requantization scale out of its
  // range, say) leave the node to the reference kernel.
  if (s != xnn_status_success) return std::unique_ptr<opt::PreparedKernel>();
  const bool depthwise = gic == 1 && goc == 1 && g.group > 1;
  const bool ncw = node.op == OpKind::kConv && info.in(0).dims.size() == 3;
  std::string name = std::string(op_name) + (depthwise ? "_depthwise" : "") +
                     (int8 ? "_qs8_qc8w_fp32_xnnpack" : "_f32_xnnpack");
  return std::unique_ptr<opt::PreparedKernel>(
      std::make_unique<ConvKernel>(Operator(op), int8, ncw, g, std::move(name)));
}

// Float or int8 in/out with int8 weights, or float with float weights; the
// kinds XNNPACK implements.
bool SupportedTypes(const opt::NodeInfo& info) {
  const ir::TensorType& x = info.in(0);
  const ir::TensorType& w = info.in(1);
  const ir::TensorType& y = info.out(0);
  if (x.dtype == DataType::kFloat32) return w.dtype == DataType::kFloat32 && y.dtype == DataType::kFloat32;
  return IsInt8Quantized(x) && w.dtype == DataType::kInt8 && !w.quant.empty() && IsInt8Quantized(y);
}

}  // namespace

bool ConvRunsNhwc(const ir::Graph& graph, const ir::Node& node) {
  const ir::TensorType* x = opt::NhwcInput(graph, node);
  return node.op == OpKind::kConv && x != nullptr && opt::InputDtype(graph, node, 1) == x->dtype;
}

namespace {

// A 2-D conv the layout pass made NHWC (rank 4), or a float 1-D one in its
// IR layout NCW (rank 3).
Result<std::unique_ptr<opt::PreparedKernel>> CreateConvOfRank(const opt::NodeInfo& info, size_t rank) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kConv || !Available() || info.num_inputs() < 2 || !info.has_in(0) ||
      info.in(0).dims.size() != rank)
    return std::unique_ptr<opt::PreparedKernel>();
  if (rank == 4 ? !IsNhwc(node) : info.in(0).dtype != DataType::kFloat32)
    return std::unique_ptr<opt::PreparedKernel>();
  if (info.constant(1) == nullptr || !SupportedTypes(info)) return std::unique_ptr<opt::PreparedKernel>();
  const Tensor* b = info.has_in(2) ? info.constant(2) : nullptr;
  if (info.has_in(2) && b == nullptr) return std::unique_ptr<opt::PreparedKernel>();
  Geometry g;
  if (!ResolveGeometry(node, info.in(0).dims, info.constant(1)->dims(), &g))
    return std::unique_ptr<opt::PreparedKernel>();
  return MakeConv(info, g, *info.constant(1), b, rank == 4 ? "conv2d" : "conv1d");
}

}  // namespace

Result<std::unique_ptr<opt::PreparedKernel>> CreateConv(const opt::NodeInfo& info) {
  return CreateConvOfRank(info, 4);
}

Result<std::unique_ptr<opt::PreparedKernel>> CreateConv1d(const opt::NodeInfo& info) {
  return CreateConvOfRank(info, 3);
}

// Gemm Y = X W^T + B (transB = 1) or X W + B as a 1x1 convolution over
// N "pixels": the same qc8 path gives per-channel int8 weights, which
// XNNPACK's fully connected operator (per-tensor only) does not. A float
// MatMul with a constant 2-D W is X W over the rows of X (its leading dims
// flattened, as the reference broadcasts W over them).
Result<std::unique_ptr<opt::PreparedKernel>> CreateGemm(const opt::NodeInfo& info) {
  const ir::Node& node = *info.node;
  const bool matmul = node.op == OpKind::kMatMul;
  if ((node.op != OpKind::kGemm && !matmul) || !Available()) return std::unique_ptr<opt::PreparedKernel>();
  if (info.num_inputs() < 2 || info.constant(1) == nullptr || !SupportedTypes(info))
    return std::unique_ptr<opt::PreparedKernel>();
  if (matmul && (info.num_inputs() != 2 || info.in(0).dtype != DataType::kFloat32))
    return std::unique_ptr<opt::PreparedKernel>();
  if (node.attrs.GetInt("transA", 0) != 0 || node.attrs.GetFloat("alpha", 1.0f) != 1.0f ||
      node.attrs.GetFloat("beta", 1.0f) != 1.0f)
    return std::unique_ptr<opt::PreparedKernel>();
  const Tensor& w = *info.constant(1);
  const std::vector<int64_t>& x = info.in(0).dims;
  if (x.size() < 2 || (x.size() != 2 && !matmul) || w.rank() != 2)
    return std::unique_ptr<opt::PreparedKernel>();
  const bool trans_b = node.attrs.GetInt("transB", 0) != 0;
  const int64_t k = trans_b ? w.dim(1) : w.dim(0), m = trans_b ? w.dim(0) : w.dim(1);
  if (x.back() != k) return std::unique_ptr<opt::PreparedKernel>();
  const Tensor* b = info.has_in(2) ? info.constant(2) : nullptr;
  if (info.has_in(2) && (b == nullptr || b->num_elements() != m))
    return std::unique_ptr<opt::PreparedKernel>();
  // Per-channel int8 weights are quantized along the output axis.
  const ir::TensorType& wt = info.in(1);
  if (wt.quant.per_axis() && wt.quant.axis != (trans_b ? 0 : 1))
    return std::unique_ptr<opt::PreparedKernel>();
  Tensor w_mk(w.dtype(), {m, k, 1, 1});
  const size_t es = DataTypeSize(w.dtype());
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < k; ++c) {
      const int64_t src = trans_b ? r * k + c : c * m + r;
      std::memcpy(static_cast<char*>(w_mk.raw_data()) + (r * k + c) * static_cast<int64_t>(es),
                  static_cast<const char*>(w.raw_data()) + src * static_cast<int64_t>(es), es);
    }
  opt::NodeInfo conv_info = info;
  ir::TensorType w_type = wt;
  w_type.quant.axis = wt.quant.per_axis() ? 0 : -1;
  conv_info.in_types[1] = &w_type;
  Geometry g;
  g.n = Rows(x);
  g.c = k;
  g.m = m;
  g.h = g.w = g.kh = g.kw = g.oh = g.ow = 1;
  return MakeConv(conv_info, g, w_mk, b, "fully_connected");
}

}  // namespace qforge::kernels::xnn
