// MaxPool (2-D, NHWC) and GlobalAveragePool (NHWC) through XNNPACK, float32
// and int8. MaxPool's int8 output has the input's (S, Z) (quantized IR), so
// it is exact; the int8 global average requantizes in float (within 1 step).
#include <vector>

#include "core/size_math.h"
#include "kernels/xnnpack/xnn_common.h"
#include "kernels/xnnpack/xnn_kernels.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::xnn {

namespace {

// 2^22 pointers (32 MiB): a 3x3 window over a 1,000x1,000 output image.
constexpr uint64_t kMaxIndirectionPointers = uint64_t{1} << 22;

class PoolKernel final : public opt::PreparedKernel {
 public:
  enum class Kind { kMaxF32, kMaxS8, kGapF32, kGapQs8 };
  PoolKernel(Operator op, Kind kind, size_t n, size_t h, size_t w)
      : op_(std::move(op)), kind_(kind), n_(n), h_(h), w_(w) {}
  std::string name() const override {
    switch (kind_) {
      case Kind::kMaxF32:
        return "max_pool2d_f32_xnnpack";
      case Kind::kMaxS8:
        return "max_pool2d_s8_xnnpack";
      case Kind::kGapF32:
        return "global_average_pool_f32_xnnpack";
      case Kind::kGapQs8:
        return "global_average_pool_qs8_fp32_xnnpack";
    }
    return "";
  }
  Status Run(KernelContext& ctx, const opt::RunResources& res) override {
    xnn_status s = xnn_status_success;
    switch (kind_) {
      case Kind::kMaxF32:
        s = xnn_setup_max_pooling2d_nhwc_f32(op_.get(), n_, h_, w_, ctx.in(0).data<float>(),
                                             ctx.out(0).data<float>(), res.pool);
        break;
      case Kind::kMaxS8:
        s = xnn_setup_max_pooling2d_nhwc_s8(op_.get(), n_, h_, w_, ctx.in(0).data<int8_t>(),
                                            ctx.out(0).data<int8_t>(), res.pool);
        break;
      case Kind::kGapF32:
        s = xnn_setup_global_average_pooling_nwc_f32(op_.get(), n_, h_ * w_, ctx.in(0).data<float>(),
                                                     ctx.out(0).data<float>(), res.pool);
        break;
      case Kind::kGapQs8:
        s = xnn_setup_global_average_pooling_nwc_qs8(op_.get(), n_, h_ * w_, ctx.in(0).data<int8_t>(),
                                                     ctx.out(0).data<int8_t>(), res.pool);
        break;
    }
    if (s != xnn_status_success) return Failed(ctx, "xnn_setup (pooling)", s);
    s = xnn_run_operator(op_.get(), res.pool);
    return s == xnn_status_success ? Status::Ok() : Failed(ctx, "xnn_run_operator", s);
  }

 private:
  Operator op_;
  Kind kind_;
  size_t n_, h_, w_;
};

std::unique_ptr<opt::PreparedKernel> None() { return nullptr; }

}  // namespace

bool MaxPoolRunsNhwc(const ir::Graph& graph, const ir::Node& node) {
  return node.op == OpKind::kMaxPool && opt::NhwcInput(graph, node) != nullptr && node.outputs.size() == 1;
}

Result<std::unique_ptr<opt::PreparedKernel>> CreateMaxPool(const opt::NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kMaxPool || !IsNhwc(node) || !Available() || info.out_types.size() != 1)
    return None();
  const ir::TensorType& x = info.in(0);
  const ir::TensorType& y = info.out(0);
  if (x.dims.size() != 4 || y.dims.size() != 4 || x.dtype != y.dtype) return None();
  if (x.dtype != DataType::kFloat32 && !(x.dtype == DataType::kInt8 && x.quant == y.quant)) return None();
  if (node.attrs.GetInt("storage_order", 0) != 0) return None();
  ops::WindowAttrs a;
  std::vector<int64_t> kernel = node.attrs.GetInts("kernel_shape");
  if (kernel.size() != 2 || !ops::ParseWindowAttrs(node.attrs, kernel, &a).ok()) return None();
  ops::WindowGeometry g;
  if (!ops::ResolveForwardWindow(a, {x.dims[1], x.dims[2]}, &g).ok()) return None();
  // XNNPACK's output size is the floor formula: ceil_mode only where it agrees.
  for (int i = 0; i < 2; ++i) {
    const int64_t eff = (g.kernel[i] - 1) * g.dilations[i] + 1;
    const int64_t in = x.dims[static_cast<size_t>(1 + i)];
    if (g.pad_begin[i] < 0 || g.pad_end[i] < 0 ||
        (in + g.pad_begin[i] + g.pad_end[i] - eff) / g.strides[i] + 1 != g.out[i] ||
        g.out[i] != y.dims[static_cast<size_t>(1 + i)])
      return None();
  }
  // XNNPACK builds an indirection buffer of one pointer per tap per output
  // pixel before running, outside qforge's memory budget: a hostile window
  // (11M taps over a 6x6 input) would ask for gigabytes. Such windows go to
  // the reference kernel, whose loops visit only the taps inside the input.
  uint64_t pointers = 0;
  if (!CheckedMul(static_cast<uint64_t>(g.kernel[0]) * static_cast<uint64_t>(g.kernel[1]),
                  static_cast<uint64_t>(x.dims[0] * g.out[0] * g.out[1] + 1), &pointers) ||
      pointers > kMaxIndirectionPointers)
    return None();
  const size_t c = static_cast<size_t>(x.dims[3]);
  xnn_operator_t op = nullptr;
  xnn_status s;
  PoolKernel::Kind kind;
  const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  if (x.dtype == DataType::kFloat32) {
    float lo, hi;
    FloatLimits(node, &lo, &hi);
    s = xnn_create_max_pooling2d_nhwc_f32(u(g.pad_begin[0]), u(g.pad_end[1]), u(g.pad_end[0]),
                                          u(g.pad_begin[1]), u(g.kernel[0]), u(g.kernel[1]), u(g.strides[0]),
                                          u(g.strides[1]), u(g.dilations[0]), u(g.dilations[1]), c, c, c, lo,
                                          hi, 0, &op);
    kind = PoolKernel::Kind::kMaxF32;
  } else {
    s = xnn_create_max_pooling2d_nhwc_s8(u(g.pad_begin[0]), u(g.pad_end[1]), u(g.pad_end[0]),
                                         u(g.pad_begin[1]), u(g.kernel[0]), u(g.kernel[1]), u(g.strides[0]),
                                         u(g.strides[1]), u(g.dilations[0]), u(g.dilations[1]), c, c, c, -128,
                                         127, 0, &op);
    kind = PoolKernel::Kind::kMaxS8;
  }
  if (s != xnn_status_success) return None();
  return std::unique_ptr<opt::PreparedKernel>(
      std::make_unique<PoolKernel>(Operator(op), kind, static_cast<size_t>(x.dims[0]),
                                   static_cast<size_t>(x.dims[1]), static_cast<size_t>(x.dims[2])));
}

bool GlobalAveragePoolRunsNhwc(const ir::Graph& graph, const ir::Node& node) {
  return node.op == OpKind::kGlobalAveragePool && opt::NhwcInput(graph, node) != nullptr &&
         node.outputs.size() == 1;
}

Result<std::unique_ptr<opt::PreparedKernel>> CreateGlobalAveragePool(const opt::NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kGlobalAveragePool || !IsNhwc(node) || !Available()) return None();
  const ir::TensorType& x = info.in(0);
  const ir::TensorType& y = info.out(0);
  if (x.dims.size() != 4 || x.dtype != y.dtype) return None();
  const size_t c = static_cast<size_t>(x.dims[3]);
  xnn_operator_t op = nullptr;
  xnn_status s;
  PoolKernel::Kind kind;
  if (x.dtype == DataType::kFloat32) {
    float lo, hi;
    FloatLimits(node, &lo, &hi);
    s = xnn_create_global_average_pooling_nwc_f32(c, c, c, lo, hi, 0, &op);
    kind = PoolKernel::Kind::kGapF32;
  } else if (x.dtype == DataType::kInt8) {
    float sx, sy;
    int32_t zx, zy;
    if (!PerTensorQuant(x, &sx, &zx) || !PerTensorQuant(y, &sy, &zy)) return None();
    int8_t lo, hi;
    Int8Limits(node, sy, zy, &lo, &hi);
    s = xnn_create_global_average_pooling_nwc_qs8(c, c, c, static_cast<int8_t>(zx), sx,
                                                  static_cast<int8_t>(zy), sy, lo, hi, 0, &op);
    kind = PoolKernel::Kind::kGapQs8;
  } else {
    return None();
  }
  if (s != xnn_status_success) return None();
  return std::unique_ptr<opt::PreparedKernel>(
      std::make_unique<PoolKernel>(Operator(op), kind, static_cast<size_t>(x.dims[0]),
                                   static_cast<size_t>(x.dims[1]), static_cast<size_t>(x.dims[2])));
}

}  // namespace qforge::kernels::xnn
