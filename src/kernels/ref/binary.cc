// Reference kernels of the broadcasting binary ops. Integer arithmetic wraps
// (two's complement) instead of overflowing, integer division truncates
// toward zero like C, and division by zero is a run-time error.
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::binary {

namespace {

template <typename T>
T Wrap(uint64_t v) {
  return static_cast<T>(v);  // modular narrowing, well defined since C++20
}

// Exact integer power by squaring, wrapping like repeated multiplication.
template <typename T>
T IntPow(T base, int64_t exp) {
  uint64_t result = 1;
  uint64_t b = static_cast<uint64_t>(base);
  for (uint64_t e = static_cast<uint64_t>(exp); e != 0; e >>= 1) {
    if (e & 1) result *= b;
    b *= b;
  }
  return Wrap<T>(result);
}

template <typename T, typename E>
T PowValue(T a, E b) {
  if constexpr (std::is_integral_v<T> && std::is_integral_v<E>) {
    if (b >= 0) return IntPow<T>(a, static_cast<int64_t>(b));
  }
  const double r = std::pow(static_cast<double>(a), static_cast<double>(b));
  if constexpr (std::is_integral_v<T>) {
    // Saturate: casting an out-of-range double to an integer is undefined.
    if (std::isnan(r)) return 0;
    if (r <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (r >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  }
  return static_cast<T>(r);
}

// One step of the fold out = op(out, b). Returns false on integer division by zero.
template <typename T>
bool Apply(OpKind op, T a, T b, T* out) {
  constexpr bool kInt = std::is_integral_v<T>;
  switch (op) {
    case OpKind::kAdd:
      if constexpr (kInt)
        *out = Wrap<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
      else
        *out = a + b;
      return true;
    case OpKind::kSub:
      if constexpr (kInt)
        *out = Wrap<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
      else
        *out = a - b;
      return true;
    case OpKind::kMul:
      if constexpr (kInt)
        *out = Wrap<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
      else
        *out = a * b;
      return true;
    case OpKind::kDiv:
      if constexpr (kInt) {
        if (b == 0) return false;
        // lowest / -1 overflows (and traps on x86); it wraps to lowest.
        if constexpr (std::is_signed_v<T>) {
          if (b == -1) {
            *out = Wrap<T>(uint64_t{0} - static_cast<uint64_t>(a));
            return true;
          }
        }
        *out = static_cast<T>(a / b);
      } else {
        *out = a / b;
      }
      return true;
    case OpKind::kPow:
      *out = PowValue<T, T>(a, b);
      return true;
    case OpKind::kMax:
    case OpKind::kMin:
      if constexpr (!kInt) {
        if (std::isnan(a) || std::isnan(b)) {
          *out = std::numeric_limits<T>::quiet_NaN();
          return true;
        }
      }
      *out = op == OpKind::kMax ? (a < b ? b : a) : (b < a ? b : a);
      return true;
    default:
      return false;
  }
}

// out = broadcast(in0), then out = op(out, in_k) for k = 1..n-1.
template <typename T>
Status FoldInputs(KernelContext& ctx, const std::vector<const Tensor*>& ins, Tensor& out) {
  const std::vector<int64_t>& od = out.dims();
  T* o = out.data<T>();
  const T* a = ins[0]->data<T>();
  ForEachStrided<1>(od, {BroadcastStrides(ins[0]->dims(), od)},
                    [&](int64_t i, const std::array<int64_t, 1>& off) { o[i] = a[off[0]]; });
  const OpKind op = ctx.node->op;
  for (size_t k = 1; k < ins.size(); ++k) {
    const T* b = ins[k]->data<T>();
    bool ok = true;
    ForEachStrided<1>(
        od, {BroadcastStrides(ins[k]->dims(), od)},
        [&](int64_t i, const std::array<int64_t, 1>& off) { ok &= Apply<T>(op, o[i], b[off[0]], &o[i]); });
    if (!ok) return ctx.Error("integer division by zero");
  }
  return Status::Ok();
}

template <typename T, typename E>
void PowMixed(const Tensor& a, const Tensor& b, Tensor& out) {
  const std::vector<int64_t>& od = out.dims();
  const T* pa = a.data<T>();
  const E* pb = b.data<E>();
  T* o = out.data<T>();
  ForEachStrided<2>(
      od, {BroadcastStrides(a.dims(), od), BroadcastStrides(b.dims(), od)},
      [&](int64_t i, const std::array<int64_t, 2>& off) { o[i] = PowValue<T, E>(pa[off[0]], pb[off[1]]); });
}

template <typename T>
bool Compare(OpKind op, T a, T b) {
  switch (op) {
    case OpKind::kGreater:
      return a > b;
    case OpKind::kGreaterOrEqual:
      return a >= b;
    case OpKind::kLess:
      return a < b;
    case OpKind::kLessOrEqual:
      return a <= b;
    default:
      return a == b;
  }
}

// Equal, Greater(OrEqual), Less(OrEqual): bool (one byte, 0 or 1) out. NaN
// compares false, as in IEEE and ONNX Runtime.
template <typename T>
void Comparison(OpKind op, const Tensor& a, const Tensor& b, Tensor& out) {
  const std::vector<int64_t>& od = out.dims();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  uint8_t* o = out.data<uint8_t>();
  ForEachStrided<2>(od, {BroadcastStrides(a.dims(), od), BroadcastStrides(b.dims(), od)},
                    [&](int64_t i, const std::array<int64_t, 2>& off) {
                      o[i] = Compare<T>(op, pa[off[0]], pb[off[1]]) ? 1 : 0;
                    });
}

template <typename T>
void PRelu(const Tensor& x, const Tensor& slope, Tensor& out) {
  const std::vector<int64_t>& od = out.dims();
  const T* px = x.data<T>();
  const T* ps = slope.data<T>();
  T* o = out.data<T>();
  ForEachStrided<1>(od, {BroadcastStrides(slope.dims(), od)},
                    [&](int64_t i, const std::array<int64_t, 1>& off) {
                      if constexpr (std::is_unsigned_v<T>) {
                        o[i] = px[i];
                      } else {
                        o[i] = px[i] < 0 ? static_cast<T>(ps[off[0]] * px[i]) : px[i];
                      }
                    });
}

Status RunTyped(KernelContext& ctx, const std::vector<const Tensor*>& ins, Tensor& out) {
  const OpKind op = ctx.node->op;
  const DataType dt = ins[0]->dtype();
  Status status;
  bool handled = false;
  if (out.dtype() == DataType::kBool) {
    handled = dt == DataType::kBool
                  ? (Comparison<uint8_t>(op, *ins[0], *ins[1], out), true)
                  : VisitNumeric(dt, [&](auto t) { Comparison<decltype(t)>(op, *ins[0], *ins[1], out); });
  } else if (op == OpKind::kPRelu) {
    handled = VisitNumeric(dt, [&](auto t) { PRelu<decltype(t)>(*ins[0], *ins[1], out); });
  } else if (op == OpKind::kPow && ins[1]->dtype() != dt) {
    bool exponent_handled = false;
    handled = VisitNumeric(dt,
                           [&](auto t) {
                             exponent_handled = VisitNumeric(ins[1]->dtype(), [&](auto e) {
                               PowMixed<decltype(t), decltype(e)>(*ins[0], *ins[1], out);
                             });
                           }) &&
              exponent_handled;
  } else {
    handled = VisitNumeric(dt, [&](auto t) { status = FoldInputs<decltype(t)>(ctx, ins, out); });
  }
  if (!handled) return ctx.Error(std::string("dtype ") + DataTypeName(dt) + " reached the kernel unchecked");
  return status;
}

}  // namespace

Status Run(KernelContext& ctx) {
  const OpKind op = ctx.node->op;
  if ((op == OpKind::kAdd || op == OpKind::kSub || op == OpKind::kMul) &&
      (IsQuantized(ctx.in(0)) || IsQuantized(ctx.in(1)))) {
    return RunQuantizedBinary(ctx);
  }
  if ((op == OpKind::kMax || op == OpKind::kMin) && IsQuantized(ctx.in(0))) return RunQuantizedMinMax(ctx);
  std::vector<const Tensor*> ins(ctx.inputs.begin(), ctx.inputs.end());
  // float16 is widened to float32 (Pow's exponent too), computed, narrowed.
  std::vector<Tensor> widened;
  widened.reserve(ins.size());
  for (const Tensor*& t : ins) {
    if (t->dtype() == DataType::kFloat16) {
      widened.push_back(HalfToFloatTensor(*t));
      t = &widened.back();
    }
  }
  Tensor& out = ctx.out(0);
  if (out.dtype() != DataType::kFloat16) return RunTyped(ctx, ins, out);
  Tensor wide(DataType::kFloat32, out.dims());
  QF_RETURN_IF_ERROR(RunTyped(ctx, ins, wide));
  FloatToHalfTensor(wide, &out);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::binary
