// Cast between qforge's dtypes. Float -> integer truncates toward zero and
// saturates out-of-range values (NaN -> 0): C++ leaves that conversion
// undefined and ONNX leaves it implementation defined. Integer -> narrower
// integer wraps, like numpy's astype. Anything -> bool is x != 0.
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/kernel.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::cast {

namespace {

template <typename D, typename S>
D Convert(S s) {
  if constexpr (std::is_integral_v<D> && std::is_floating_point_v<S>) {
    if (std::isnan(s)) return 0;
    const double t = std::trunc(static_cast<double>(s));
    // lowest() is -2^(n-1) or 0, exactly representable; max()+1 is 2^k.
    if (t <= static_cast<double>(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (t >= static_cast<double>(std::numeric_limits<D>::max()) + 1.0) return std::numeric_limits<D>::max();
    return static_cast<D>(t);
  } else if constexpr (std::is_same_v<D, float> && std::is_same_v<S, double>) {
    // Out-of-range double -> float is undefined in C++; IEEE gives +-inf.
    if (s > static_cast<double>(std::numeric_limits<float>::max()))
      return std::numeric_limits<float>::infinity();
    if (s < -static_cast<double>(std::numeric_limits<float>::max()))
      return -std::numeric_limits<float>::infinity();
    return static_cast<float>(s);
  } else {
    return static_cast<D>(s);
  }
}

template <typename S>
void CastFrom(const S* src, int64_t n, DataType to, Tensor& out) {
  switch (to) {
    case DataType::kFloat16: {
      uint16_t* d = out.data<uint16_t>();
      for (int64_t i = 0; i < n; ++i) d[i] = FloatToHalf(Convert<float>(src[i]));
      return;
    }
    case DataType::kBool: {
      uint8_t* d = out.data<uint8_t>();
      for (int64_t i = 0; i < n; ++i) d[i] = src[i] != S(0) ? 1 : 0;
      return;
    }
    default:
      VisitNumeric(to, [&](auto t) {
        using D = decltype(t);
        D* d = out.data<D>();
        for (int64_t i = 0; i < n; ++i) d[i] = Convert<D>(src[i]);
      });
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  const int64_t n = in.num_elements();
  const DataType from = in.dtype();
  if (from == DataType::kFloat16) {
    const Tensor wide = HalfToFloatTensor(in);
    CastFrom(wide.data<float>(), n, out.dtype(), out);
  } else if (from == DataType::kBool) {
    CastFrom(in.data<uint8_t>(), n, out.dtype(), out);  // stored as 0/1
  } else if (!VisitNumeric(from, [&](auto t) { CastFrom(in.data<decltype(t)>(), n, out.dtype(), out); })) {
    return ctx.Error(std::string("dtype ") + DataTypeName(from) + " reached the kernel unchecked");
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::cast
