// Add through XNNPACK: float32, and int8 with per-tensor (S, Z) on both
// inputs and the output (numpy broadcasting, up to XNNPACK's 6 dims).
#include <vector>

#include "runtime/kernels/xnnpack/xnn_common.h"
#include "runtime/kernels/xnnpack/xnn_kernels.h"

namespace qforge::kernels::xnn {

namespace {

class AddKernel final : public opt::PreparedKernel {
 public:
  AddKernel(Operator op, bool int8, std::vector<size_t> a, std::vector<size_t> b)
      : op_(std::move(op)), int8_(int8), a_(std::move(a)), b_(std::move(b)) {}
  std::string name() const override { return int8_ ? "add_qs8_fp32_xnnpack" : "add_f32_xnnpack"; }
  Status Run(KernelContext& ctx, const opt::RunResources& res) override {
    xnn_status s;
    if (int8_) {
      s = xnn_setup_add_nd_qs8(op_.get(), a_.size(), a_.data(), b_.size(), b_.data(), ctx.in(0).data<int8_t>(),
                               ctx.in(1).data<int8_t>(), ctx.out(0).data<int8_t>(), res.pool);
    } else {
      s = xnn_setup_add_nd_f32(op_.get(), a_.size(), a_.data(), b_.size(), b_.data(), ctx.in(0).data<float>(),
                               ctx.in(1).data<float>(), ctx.out(0).data<float>(), res.pool);
    }
    if (s != xnn_status_success) return Failed(ctx, "xnn_setup_add_nd", s);
    s = xnn_run_operator(op_.get(), res.pool);
    return s == xnn_status_success ? Status::Ok() : Failed(ctx, "xnn_run_operator", s);
  }

 private:
  Operator op_;
  bool int8_;
  std::vector<size_t> a_, b_;
};

std::vector<size_t> ToSizes(const std::vector<int64_t>& dims) {
  std::vector<size_t> out;
  for (int64_t d : dims) out.push_back(static_cast<size_t>(d));
  return out;
}

}  // namespace

Result<std::unique_ptr<opt::PreparedKernel>> CreateAdd(const opt::NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (node.op != OpKind::kAdd || info.num_inputs() != 2 || !Available())
    return std::unique_ptr<opt::PreparedKernel>();
  const ir::TensorType& a = info.in(0);
  const ir::TensorType& b = info.in(1);
  const ir::TensorType& y = info.out(0);
  if (a.dims.size() > XNN_MAX_TENSOR_DIMS || b.dims.size() > XNN_MAX_TENSOR_DIMS || a.dims.empty() ||
      b.dims.empty())
    return std::unique_ptr<opt::PreparedKernel>();
  xnn_operator_t op = nullptr;
  xnn_status s;
  bool int8 = false;
  if (a.dtype == DataType::kFloat32 && b.dtype == DataType::kFloat32 && y.dtype == DataType::kFloat32) {
    float lo, hi;
    FloatLimits(node, &lo, &hi);
    s = xnn_create_add_nd_f32(lo, hi, 0, &op);
  } else if (a.dtype == DataType::kInt8 && b.dtype == DataType::kInt8 && y.dtype == DataType::kInt8) {
    float sa, sb, sy;
    int32_t za, zb, zy;
    if (!PerTensorQuant(a, &sa, &za) || !PerTensorQuant(b, &sb, &zb) || !PerTensorQuant(y, &sy, &zy))
      return std::unique_ptr<opt::PreparedKernel>();
    int8_t lo, hi;
    Int8Limits(node, sy, zy, &lo, &hi);
    s = xnn_create_add_nd_qs8(static_cast<int8_t>(za), sa, static_cast<int8_t>(zb), sb, static_cast<int8_t>(zy), sy,
                              lo, hi, 0, &op);
    int8 = true;
  } else {
    return std::unique_ptr<opt::PreparedKernel>();
  }
  if (s != xnn_status_success) return std::unique_ptr<opt::PreparedKernel>();
  return std::unique_ptr<opt::PreparedKernel>(
      std::make_unique<AddKernel>(Operator(op), int8, ToSizes(a.dims), ToSizes(b.dims)));
}

}  // namespace qforge::kernels::xnn
