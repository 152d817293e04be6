// Max / Min as the reference computes them (NaN if either operand is NaN,
// else a < b ? b : a, which also fixes the sign of a zero result), so the
// result is bit-identical up to NaN payloads. The broadcast is planned once:
// the longest run of trailing dims where both inputs are dense, or one is
// dense and the other a single repeated value, becomes a contiguous inner
// loop the compiler vectorizes; the dims before it are walked with the
// reference's strided iterator.
#include "kernels/opt/minmax_kernel.h"

#include <array>
#include <vector>

#include "kernels/ref/broadcast.h"

namespace qforge::kernels::opt {

namespace {

// How the inner run reads the inputs.
enum class Inner { kBoth, kScalarA, kScalarB };

template <bool kMax>
inline float Select(float a, float b) {
  const float r = kMax ? (a < b ? b : a) : (b < a ? b : a);
  return b != b ? b : r;  // r is already a when a is NaN
}

template <bool kMax>
void RunInner(Inner mode, const float* a, const float* b, float* y, int64_t n) {
  switch (mode) {
    case Inner::kBoth:
      for (int64_t i = 0; i < n; ++i) y[i] = Select<kMax>(a[i], b[i]);
      break;
    case Inner::kScalarA: {
      const float s = a[0];
      for (int64_t i = 0; i < n; ++i) y[i] = Select<kMax>(s, b[i]);
      break;
    }
    case Inner::kScalarB: {
      const float s = b[0];
      for (int64_t i = 0; i < n; ++i) y[i] = Select<kMax>(a[i], s);
      break;
    }
  }
}

class MinMaxKernel final : public PreparedKernel {
 public:
  MinMaxKernel(bool is_max, Inner mode, int64_t inner, std::vector<int64_t> outer,
               std::array<std::vector<int64_t>, 2> strides)
      : is_max_(is_max), mode_(mode), inner_(inner), outer_(std::move(outer)), strides_(std::move(strides)) {}
  std::string name() const override { return is_max_ ? "maximum_f32_portable" : "minimum_f32_portable"; }
  Status Run(KernelContext& ctx, const RunResources&) override {
    const float* a = ctx.in(0).data<float>();
    const float* b = ctx.in(1).data<float>();
    float* y = ctx.out(0).data<float>();
    ref::ForEachStrided<2>(outer_, strides_, [&](int64_t i, const std::array<int64_t, 2>& off) {
      if (is_max_)
        RunInner<true>(mode_, a + off[0], b + off[1], y + i * inner_, inner_);
      else
        RunInner<false>(mode_, a + off[0], b + off[1], y + i * inner_, inner_);
    });
    return Status::Ok();
  }

 private:
  bool is_max_;
  Inner mode_;
  int64_t inner_;
  std::vector<int64_t> outer_;                   // the output dims before the inner run
  std::array<std::vector<int64_t>, 2> strides_;  // of a and b along outer_
};

}  // namespace

Result<std::unique_ptr<PreparedKernel>> CreateMinMax(const NodeInfo& info) {
  const OpKind op = info.node->op;
  if ((op != OpKind::kMax && op != OpKind::kMin) || info.num_inputs() != 2 || !info.has_in(0) ||
      !info.has_in(1) || info.out_types.size() != 1)
    return std::unique_ptr<PreparedKernel>();
  const ir::TensorType& ta = info.in(0);
  const ir::TensorType& tb = info.in(1);
  const ir::TensorType& ty = info.out(0);
  if (ta.dtype != DataType::kFloat32 || tb.dtype != DataType::kFloat32 || ty.dtype != DataType::kFloat32)
    return std::unique_ptr<PreparedKernel>();
  const std::vector<int64_t>& out = ty.dims;
  if (ta.dims.size() > out.size() || tb.dims.size() > out.size()) return std::unique_ptr<PreparedKernel>();
  std::array<std::vector<int64_t>, 2> strides = {ref::BroadcastStrides(ta.dims, out),
                                                 ref::BroadcastStrides(tb.dims, out)};
  // Extend the inner run over the trailing dims while each input reads them
  // either contiguously (full) or as one repeated value (zero stride), and
  // not both as a repeated value. A dim of size 1 fits any pattern.
  size_t split = out.size();
  int64_t inner = 1;
  bool a_full = true, a_zero = true, b_full = true, b_zero = true;
  for (; split > 0; --split) {
    const size_t d = split - 1;
    if (out[d] == 1) continue;
    const bool af = a_full && strides[0][d] == inner, az = a_zero && strides[0][d] == 0;
    const bool bf = b_full && strides[1][d] == inner, bz = b_zero && strides[1][d] == 0;
    if (!((af && bf) || (af && bz) || (az && bf))) break;
    a_full = af, a_zero = az, b_full = bf, b_zero = bz;
    inner *= out[d];
  }
  const Inner mode = a_full && b_full ? Inner::kBoth : a_full ? Inner::kScalarB : Inner::kScalarA;
  std::vector<int64_t> outer(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(split));
  for (auto& s : strides) s.resize(split);
  return std::unique_ptr<PreparedKernel>(
      std::make_unique<MinMaxKernel>(op == OpKind::kMax, mode, inner, std::move(outer), std::move(strides)));
}

}  // namespace qforge::kernels::opt
