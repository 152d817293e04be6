// Add, Sub, Mul through XNNPACK: float32, and int8 with per-tensor (S, Z) on
// both inputs and the output (numpy broadcasting, up to XNNPACK's 6 dims).
#include <vector>

#include "kernels/xnnpack/xnn_common.h"
#include "kernels/xnnpack/xnn_kernels.h"

namespace qforge::kernels::xnn {

namespace {

enum class BinOp { kAdd, kSub, kMul };

const char* BinName(BinOp op) {
  return op == BinOp::kAdd ? "add" : op == BinOp::kSub ? "subtract" : "multiply";
}

class BinaryKernel final : public opt::PreparedKernel {
 public:
  BinaryKernel(Operator op, BinOp kind, bool int8, std::vector<size_t> a, std::vector<size_t> b)
      : op_(std::move(op)), kind_(kind), int8_(int8), a_(std::move(a)), b_(std::move(b)) {}
  std::string name() const override {
    return std::string(BinName(kind_)) + (int8_ ? "_qs8_fp32_xnnpack" : "_f32_xnnpack");
  }
  Status Run(KernelContext& ctx, const opt::RunResources& res) override {
    xnn_status s;
    const size_t na = a_.size(), nb = b_.size();
    if (int8_) {
      const int8_t* x = ctx.in(0).data<int8_t>();
      const int8_t* y = ctx.in(1).data<int8_t>();
      int8_t* z = ctx.out(0).data<int8_t>();
      switch (kind_) {
        case BinOp::kAdd:
          s = xnn_setup_add_nd_qs8(op_.get(), na, a_.data(), nb, b_.data(), x, y, z, res.pool);
          break;
        case BinOp::kSub:
          s = xnn_setup_subtract_nd_qs8(op_.get(), na, a_.data(), nb, b_.data(), x, y, z, res.pool);
          break;
        default:
          s = xnn_setup_multiply_nd_qs8(op_.get(), na, a_.data(), nb, b_.data(), x, y, z, res.pool);
      }
    } else {
      const float* x = ctx.in(0).data<float>();
      const float* y = ctx.in(1).data<float>();
      float* z = ctx.out(0).data<float>();
      switch (kind_) {
        case BinOp::kAdd:
          s = xnn_setup_add_nd_f32(op_.get(), na, a_.data(), nb, b_.data(), x, y, z, res.pool);
          break;
        case BinOp::kSub:
          s = xnn_setup_subtract_nd_f32(op_.get(), na, a_.data(), nb, b_.data(), x, y, z, res.pool);
          break;
        default:
          s = xnn_setup_multiply_nd_f32(op_.get(), na, a_.data(), nb, b_.data(), x, y, z, res.pool);
      }
    }
    if (s != xnn_status_success) return Failed(ctx, "xnn_setup (binary)", s);
    s = xnn_run_operator(op_.get(), res.pool);
    return s == xnn_status_success ? Status::Ok() : Failed(ctx, "xnn_run_operator", s);
  }

 private:
  Operator op_;
  BinOp kind_;
  bool int8_;
  std::vector<size_t> a_, b_;
};

std::vector<size_t> ToSizes(const std::vector<int64_t>& dims) {
  std::vector<size_t> out;
  for (int64_t d : dims) out.push_back(static_cast<size_t>(d));
  return out;
}

}  // namespace

Result<std::unique_ptr<opt::PreparedKernel>> CreateBinary(const opt::NodeInfo& info) {
  const ir::Node& node = *info.node;
  BinOp kind;
  switch (node.op) {
    case OpKind::kAdd:
      kind = BinOp::kAdd;
      break;
    case OpKind::kSub:
      kind = BinOp::kSub;
      break;
    case OpKind::kMul:
      kind = BinOp::kMul;
      break;
    default:
      return std::unique_ptr<opt::PreparedKernel>();
  }
  if (info.num_inputs() != 2 || !Available()) return std::unique_ptr<opt::PreparedKernel>();
  const ir::TensorType& a = info.in(0);
  const ir::TensorType& b = info.in(1);
  const ir::TensorType& y = info.out(0);
  // Rank 0 is a one-element tensor to XNNPACK.
  const std::vector<int64_t> da = a.dims.empty() ? std::vector<int64_t>{1} : a.dims;
  const std::vector<int64_t> db = b.dims.empty() ? std::vector<int64_t>{1} : b.dims;
  if (da.size() > XNN_MAX_TENSOR_DIMS || db.size() > XNN_MAX_TENSOR_DIMS)
    return std::unique_ptr<opt::PreparedKernel>();
  xnn_operator_t op = nullptr;
  xnn_status s;
  bool int8 = false;
  if (a.dtype == DataType::kFloat32 && b.dtype == DataType::kFloat32 && y.dtype == DataType::kFloat32) {
    float lo, hi;
    FloatLimits(node, &lo, &hi);
    s = kind == BinOp::kAdd   ? xnn_create_add_nd_f32(lo, hi, 0, &op)
        : kind == BinOp::kSub ? xnn_create_subtract_nd_f32(lo, hi, 0, &op)
                              : xnn_create_multiply_nd_f32(lo, hi, 0, &op);
  } else if (a.dtype == DataType::kInt8 && b.dtype == DataType::kInt8 && y.dtype == DataType::kInt8) {
    float sa, sb, sy;
    int32_t za, zb, zy;
    if (!PerTensorQuant(a, &sa, &za) || !PerTensorQuant(b, &sb, &zb) || !PerTensorQuant(y, &sy, &zy))
      return std::unique_ptr<opt::PreparedKernel>();
    int8_t lo, hi;
    Int8Limits(node, sy, zy, &lo, &hi);
    const auto i8 = [](int32_t v) { return static_cast<int8_t>(v); };
    s = kind == BinOp::kAdd ? xnn_create_add_nd_qs8(i8(za), sa, i8(zb), sb, i8(zy), sy, lo, hi, 0, &op)
        : kind == BinOp::kSub
            ? xnn_create_subtract_nd_qs8(i8(za), sa, i8(zb), sb, i8(zy), sy, lo, hi, 0, &op)
            : xnn_create_multiply_nd_qs8(i8(za), sa, i8(zb), sb, i8(zy), sy, lo, hi, 0, &op);
    int8 = true;
  } else {
    return std::unique_ptr<opt::PreparedKernel>();
  }
  if (s != xnn_status_success) return std::unique_ptr<opt::PreparedKernel>();
  return std::unique_ptr<opt::PreparedKernel>(
      std::make_unique<BinaryKernel>(Operator(op), kind, int8, ToSizes(da), ToSizes(db)));
}

}  // namespace qforge::kernels::xnn
