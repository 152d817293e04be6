// Float element-wise activations through XNNPACK (the ones not fused into a
// producer): Sigmoid, HardSwish, and Relu / Clip as a clamp.
#include <cmath>
#include <limits>

#include "kernels/xnnpack/xnn_common.h"
#include "kernels/xnnpack/xnn_kernels.h"

namespace qforge::kernels::xnn {

namespace {

enum class Unary { kSigmoid, kHardSwish, kClamp };

class UnaryKernel final : public opt::PreparedKernel {
 public:
  UnaryKernel(Operator op, Unary kind) : op_(std::move(op)), kind_(kind) {}
  std::string name() const override {
    return kind_ == Unary::kSigmoid     ? "sigmoid_f32_xnnpack"
           : kind_ == Unary::kHardSwish ? "hardswish_f32_xnnpack"
                                        : "clamp_f32_xnnpack";
  }
  Status Run(KernelContext& ctx, const opt::RunResources& res) override {
    const size_t n = static_cast<size_t>(ctx.in(0).num_elements());
    const float* x = ctx.in(0).data<float>();
    float* y = ctx.out(0).data<float>();
    xnn_status s = kind_ == Unary::kSigmoid     ? xnn_setup_sigmoid_nc_f32(op_.get(), n, x, y, res.pool)
                   : kind_ == Unary::kHardSwish ? xnn_setup_hardswish_nc_f32(op_.get(), n, x, y, res.pool)
                                                : xnn_setup_clamp_nc_f32(op_.get(), n, x, y, res.pool);
    if (s != xnn_status_success) return Failed(ctx, "xnn_setup (unary)", s);
    s = xnn_run_operator(op_.get(), res.pool);
    return s == xnn_status_success ? Status::Ok() : Failed(ctx, "xnn_run_operator", s);
  }

 private:
  Operator op_;
  Unary kind_;
};

// Clip's bound from an optional constant scalar input; false if not constant.
bool Bound(const opt::NodeInfo& info, size_t i, float def, float* out) {
  *out = def;
  if (!info.has_in(i)) return true;
  const Tensor* t = info.constant(i);
  if (t == nullptr || t->dtype() != DataType::kFloat32 || t->num_elements() != 1) return false;
  *out = t->data<float>()[0];
  return !std::isnan(*out);
}

}  // namespace

Result<std::unique_ptr<opt::PreparedKernel>> CreateUnaryF32(const opt::NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (!Available() || info.num_inputs() < 1 || info.in(0).dtype != DataType::kFloat32 ||
      info.out_types.size() != 1 || info.out(0).dtype != DataType::kFloat32)
    return std::unique_ptr<opt::PreparedKernel>();
  xnn_operator_t op = nullptr;
  xnn_status s;
  Unary kind;
  const float inf = std::numeric_limits<float>::infinity();
  switch (node.op) {
    case OpKind::kSigmoid:
      s = xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &op);
      kind = Unary::kSigmoid;
      break;
    case OpKind::kHardSwish:
      s = xnn_create_hardswish_nc_f32(1, 1, 1, 0, &op);
      kind = Unary::kHardSwish;
      break;
    case OpKind::kRelu:
      s = xnn_create_clamp_nc_f32(1, 1, 1, 0.0f, inf, 0, &op);
      kind = Unary::kClamp;
      break;
    case OpKind::kClip: {
      float lo, hi;
      if (!Bound(info, 1, -inf, &lo) || !Bound(info, 2, inf, &hi) || !(lo <= hi))
        return std::unique_ptr<opt::PreparedKernel>();
      if (lo == hi) return std::unique_ptr<opt::PreparedKernel>();  // XNNPACK wants min < max
      s = xnn_create_clamp_nc_f32(1, 1, 1, lo, hi, 0, &op);
      kind = Unary::kClamp;
      break;
    }
    default:
      return std::unique_ptr<opt::PreparedKernel>();
  }
  if (s != xnn_status_success) return std::unique_ptr<opt::PreparedKernel>();
  return std::unique_ptr<opt::PreparedKernel>(std::make_unique<UnaryKernel>(Operator(op), kind));
}

}  // namespace qforge::kernels::xnn
