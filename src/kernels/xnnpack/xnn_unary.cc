// Float element-wise ops through XNNPACK (the ones not fused into a
// producer): Sigmoid, HardSwish, LeakyRelu, Sqrt, Relu / Clip as a clamp,
// and Pow with the constant exponent 2 as a square.
#include <cmath>
#include <limits>

#include "kernels/xnnpack/xnn_common.h"
#include "kernels/xnnpack/xnn_kernels.h"

namespace qforge::kernels::xnn {

namespace {

// Every XNNPACK unary "nc" f32 operator is set up the same way.
using SetupFn = xnn_status (*)(xnn_operator_t, size_t, const float*, float*, pthreadpool_t);

class UnaryKernel final : public opt::PreparedKernel {
 public:
  UnaryKernel(Operator op, SetupFn setup, const char* name)
      : op_(std::move(op)), setup_(setup), name_(name) {}
  std::string name() const override { return std::string(name_) + "_f32_xnnpack"; }
  Status Run(KernelContext& ctx, const opt::RunResources& res) override {
    const size_t n = static_cast<size_t>(ctx.in(0).num_elements());
    xnn_status s = setup_(op_.get(), n, ctx.in(0).data<float>(), ctx.out(0).data<float>(), res.pool);
    if (s != xnn_status_success) return Failed(ctx, "xnn_setup (unary)", s);
    s = xnn_run_operator(op_.get(), res.pool);
    return s == xnn_status_success ? Status::Ok() : Failed(ctx, "xnn_run_operator", s);
  }

 private:
  Operator op_;
  SetupFn setup_;
  const char* name_;
};

// A constant float scalar input (Clip's bounds, Pow's exponent); `def` when
// the optional input is absent; false if not constant or NaN.
bool ConstantScalar(const opt::NodeInfo& info, size_t i, float def, float* out) {
  *out = def;
  if (!info.has_in(i)) return true;
  const Tensor* t = info.constant(i);
  if (t == nullptr || t->dtype() != DataType::kFloat32 || t->num_elements() != 1) return false;
  *out = t->data<float>()[0];
  return !std::isnan(*out);
}

// The operators without parameters.
using CreateFn = xnn_status (*)(size_t, size_t, size_t, uint32_t, xnn_operator_t*);
struct Plain {
  OpKind op;
  CreateFn create;
  SetupFn setup;
  const char* name;
};
constexpr Plain kPlain[] = {
    {OpKind::kSigmoid, &xnn_create_sigmoid_nc_f32, &xnn_setup_sigmoid_nc_f32, "sigmoid"},
    {OpKind::kHardSwish, &xnn_create_hardswish_nc_f32, &xnn_setup_hardswish_nc_f32, "hardswish"},
    {OpKind::kSqrt, &xnn_create_square_root_nc_f32, &xnn_setup_square_root_nc_f32, "sqrt"},
    // x * x rounded once equals the reference's pow in double narrowed to
    // float (the exact square of a float fits a double). Other exponents
    // stay with the reference: pow(-0, 0.5) is +0 where sqrt gives -0.
    {OpKind::kPow, &xnn_create_square_nc_f32, &xnn_setup_square_nc_f32, "square"},
};

}  // namespace

Result<std::unique_ptr<opt::PreparedKernel>> CreateUnaryF32(const opt::NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (!Available() || info.num_inputs() < 1 || info.in(0).dtype != DataType::kFloat32 ||
      info.out_types.size() != 1 || info.out(0).dtype != DataType::kFloat32)
    return std::unique_ptr<opt::PreparedKernel>();
  xnn_operator_t op = nullptr;
  xnn_status s = xnn_status_unsupported_parameter;
  SetupFn setup = &xnn_setup_clamp_nc_f32;
  const char* name = "clamp";
  const float inf = std::numeric_limits<float>::infinity();
  if (node.op == OpKind::kPow) {
    float e;
    if (info.num_inputs() != 2 || !ConstantScalar(info, 1, 0.0f, &e) || e != 2.0f)
      return std::unique_ptr<opt::PreparedKernel>();
  }
  for (const Plain& p : kPlain) {
    if (p.op != node.op) continue;
    s = p.create(1, 1, 1, 0, &op);
    setup = p.setup;
    name = p.name;
  }
  if (node.op == OpKind::kLeakyRelu) {
    // x < 0 ? alpha * x : x; NaN stays NaN and -0 stays -0, as in the reference.
    s = xnn_create_leaky_relu_nc_f32(1, 1, 1, node.attrs.GetFloat("alpha", 0.01f), 0, &op);
    setup = &xnn_setup_leaky_relu_nc_f32;
    name = "leaky_relu";
  } else if (node.op == OpKind::kRelu) {
    s = xnn_create_clamp_nc_f32(1, 1, 1, 0.0f, inf, 0, &op);
  } else if (node.op == OpKind::kClip) {
    float lo, hi;
    if (!ConstantScalar(info, 1, -inf, &lo) || !ConstantScalar(info, 2, inf, &hi) || !(lo <= hi))
      return std::unique_ptr<opt::PreparedKernel>();
    if (lo == hi) return std::unique_ptr<opt::PreparedKernel>();  // XNNPACK wants min < max
    s = xnn_create_clamp_nc_f32(1, 1, 1, lo, hi, 0, &op);
  }
  if (s != xnn_status_success) return std::unique_ptr<opt::PreparedKernel>();
  return std::unique_ptr<opt::PreparedKernel>(std::make_unique<UnaryKernel>(Operator(op), setup, name));
}

}  // namespace qforge::kernels::xnn
