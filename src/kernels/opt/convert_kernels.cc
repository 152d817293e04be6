#include "kernels/opt/convert_kernels.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "kernels/x86/convert.h"

namespace qforge::kernels::opt {

namespace {

// The per-tensor (scale, zero point) given as constant inputs 1 and 2.
bool ConstantQuant(const NodeInfo& info, float* scale, int32_t* zero_point) {
  const Tensor* s = info.constant(1);
  if (s == nullptr || s->dtype() != DataType::kFloat32 || s->num_elements() != 1) return false;
  *scale = s->data<float>()[0];
  *zero_point = 0;
  if (info.has_in(2)) {
    const Tensor* z = info.constant(2);
    if (z == nullptr || z->dtype() != DataType::kInt8 || z->num_elements() != 1) return false;
    *zero_point = z->data<int8_t>()[0];
  }
  return true;
}

class ConvertKernel final : public PreparedKernel {
 public:
  ConvertKernel(bool quantize, float scale, int32_t zero_point)
      : quantize_(quantize), scale_(scale), zero_point_(zero_point), isa_(x86::BestIsa()) {}
  std::string name() const override {
    return std::string(quantize_ ? "quantize_f32_qs8_" : "dequantize_qs8_f32_") + x86::IsaName(isa_);
  }
  Status Run(KernelContext& ctx, const RunResources&) override {
    const size_t n = static_cast<size_t>(ctx.in(0).num_elements());
    if (quantize_) {
      x86::QuantizeS8(ctx.in(0).data<float>(), n, scale_, zero_point_, ctx.out(0).data<int8_t>(), isa_);
    } else {
      x86::DequantizeS8(ctx.in(0).data<int8_t>(), n, scale_, zero_point_, ctx.out(0).data<float>(), isa_);
    }
    return Status::Ok();
  }

 private:
  bool quantize_;
  float scale_;
  int32_t zero_point_;
  x86::Isa isa_;
};

}  // namespace

Result<std::unique_ptr<PreparedKernel>> CreateQuantize(const NodeInfo& info) {
  float scale;
  int32_t zp;
  if (info.node->op != OpKind::kQuantizeLinear || info.in(0).dtype != DataType::kFloat32 ||
      info.out(0).dtype != DataType::kInt8 || !ConstantQuant(info, &scale, &zp))
    return std::unique_ptr<PreparedKernel>();
  return std::unique_ptr<PreparedKernel>(std::make_unique<ConvertKernel>(true, scale, zp));
}

Result<std::unique_ptr<PreparedKernel>> CreateDequantize(const NodeInfo& info) {
  float scale;
  int32_t zp;
  if (info.node->op != OpKind::kDequantizeLinear || info.in(0).dtype != DataType::kInt8 ||
      info.out(0).dtype != DataType::kFloat32 || !ConstantQuant(info, &scale, &zp))
    return std::unique_ptr<PreparedKernel>();
  return std::unique_ptr<PreparedKernel>(std::make_unique<ConvertKernel>(false, scale, zp));
}

}  // namespace qforge::kernels::opt

namespace qforge::kernels::opt {

namespace {

// out[b][c][r] = in[b][r][c] for `batch` matrices of rows x cols elements,
// in 32x32 tiles so both sides stay in cache lines.
template <typename T>
void BatchedTranspose(const T* in, T* out, int64_t batch, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 32;
  for (int64_t b = 0; b < batch; ++b) {
    const T* src = in + b * rows * cols;
    T* dst = out + b * rows * cols;
    for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
      const int64_t r1 = std::min(rows, r0 + kTile);
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t c1 = std::min(cols, c0 + kTile);
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t c = c0; c < c1; ++c) dst[c * rows + r] = src[r * cols + c];
      }
    }
  }
}

class TransposeKernel final : public PreparedKernel {
 public:
  TransposeKernel(size_t elem, int64_t batch, int64_t rows, int64_t cols)
      : elem_(elem), batch_(batch), rows_(rows), cols_(cols) {}
  std::string name() const override {
    return "transpose_x" + std::to_string(elem_ * 8) + "_batched2d_portable";
  }
  Status Run(KernelContext& ctx, const RunResources&) override {
    BatchedTranspose2D(elem_, ctx.in(0).raw_data(), ctx.out(0).raw_data(), batch_, rows_, cols_);
    return Status::Ok();
  }

 private:
  size_t elem_;
  int64_t batch_, rows_, cols_;
};

}  // namespace

void BatchedTranspose2D(size_t elem, const void* in, void* out, int64_t batch, int64_t rows, int64_t cols) {
  if (elem == 1) {
    BatchedTranspose(static_cast<const uint8_t*>(in), static_cast<uint8_t*>(out), batch, rows, cols);
  } else {
    BatchedTranspose(static_cast<const uint32_t*>(in), static_cast<uint32_t*>(out), batch, rows, cols);
  }
}

// The layout changes the runtime inserts: NCHW <-> NHWC of a 4-D tensor,
// i.e. a batch of 2-D transposes ([C, HW] <-> [HW, C]).
Result<std::unique_ptr<PreparedKernel>> CreateTranspose(const NodeInfo& info) {
  if (info.node->op != OpKind::kTranspose) return std::unique_ptr<PreparedKernel>();
  const ir::TensorType& x = info.in(0);
  const size_t elem = DataTypeSize(x.dtype);
  if (x.dims.size() != 4 || (elem != 1 && elem != 4)) return std::unique_ptr<PreparedKernel>();
  const std::vector<int64_t> perm = info.node->attrs.GetInts("perm");
  const auto& d = x.dims;
  if (perm == std::vector<int64_t>{0, 2, 3, 1})
    return std::unique_ptr<PreparedKernel>(std::make_unique<TransposeKernel>(elem, d[0], d[1], d[2] * d[3]));
  if (perm == std::vector<int64_t>{0, 3, 1, 2})
    return std::unique_ptr<PreparedKernel>(std::make_unique<TransposeKernel>(elem, d[0], d[1] * d[2], d[3]));
  return std::unique_ptr<PreparedKernel>();
}

}  // namespace qforge::kernels::opt
