// Reference kernels of the elementwise unary ops. float16 is computed in
// float32; integer Abs/Neg wrap at the lowest value like two's complement.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/quantized/int_kernels.h"
#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref::unary {

namespace {

template <typename T>
T Sigmoid(T x) {
  // Both branches avoid exp of a large positive number.
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <typename T>
T Eval(OpKind op, T x, float alpha, float beta) {
  if constexpr (std::is_unsigned_v<T>) {
    return x;  // never dispatched: Infer admits no unsigned type
  } else if constexpr (std::is_integral_v<T>) {
    switch (op) {
      case OpKind::kRelu:
        return x < 0 ? T(0) : x;
      case OpKind::kAbs:
        return x < 0 ? static_cast<T>(uint64_t{0} - static_cast<uint64_t>(x)) : x;
      case OpKind::kNeg:
        return static_cast<T>(uint64_t{0} - static_cast<uint64_t>(x));
      default:
        return x;
    }
  } else {
    switch (op) {
      case OpKind::kRelu:
        return x < 0 ? T(0) : x;
      case OpKind::kLeakyRelu:
        return x < 0 ? static_cast<T>(alpha) * x : x;
      case OpKind::kSigmoid:
        return Sigmoid(x);
      case OpKind::kTanh:
        return std::tanh(x);
      case OpKind::kHardSigmoid:
        return std::fmax(T(0), std::fmin(T(1), static_cast<T>(alpha) * x + static_cast<T>(beta)));
      case OpKind::kHardSwish:
        return x * std::fmax(T(0), std::fmin(T(1), x / T(6) + T(0.5)));
      case OpKind::kSqrt:
        return std::sqrt(x);
      case OpKind::kExp:
        return std::exp(x);
      case OpKind::kLog:
        return std::log(x);
      case OpKind::kAbs:
        return std::fabs(x);
      case OpKind::kNeg:
        return -x;
      case OpKind::kReciprocal:
        return T(1) / x;
      case OpKind::kErf:
        return std::erf(x);
      default:
        return x;
    }
  }
}

// ONNX defaults: LeakyRelu alpha 0.01, HardSigmoid alpha 0.2, beta 0.5.
float Alpha(const KernelContext& ctx) {
  return ctx.attrs().GetFloat("alpha", ctx.node->op == OpKind::kLeakyRelu ? 0.01f : 0.2f);
}
float Beta(const KernelContext& ctx) { return ctx.attrs().GetFloat("beta", 0.5f); }

Status Compute(KernelContext& ctx, const Tensor& in, Tensor& out) {
  const OpKind op = ctx.node->op;
  const float alpha = Alpha(ctx);
  const float beta = Beta(ctx);
  const bool ok = VisitNumeric(in.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* x = in.data<T>();
    T* y = out.data<T>();
    for (int64_t i = 0; i < in.num_elements(); ++i) y[i] = Eval<T>(op, x[i], alpha, beta);
  });
  if (!ok)
    return ctx.Error(std::string("dtype ") + DataTypeName(in.dtype()) + " reached the kernel unchecked");
  return Status::Ok();
}

}  // namespace

Status Run(KernelContext& ctx) {
  const OpKind op = ctx.node->op;
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  if (op == OpKind::kIdentity || op == OpKind::kDropout) {
    if (op == OpKind::kDropout && ctx.has_in(2) && ctx.in(2).num_elements() >= 1 &&
        ctx.in(2).data<uint8_t>()[0]) {
      return ctx.Error("training_mode = true is not supported (inference-mode Dropout only)");
    }
    if (in.byte_size() != 0) std::memcpy(out.raw_data(), in.raw_data(), in.byte_size());
    if (ctx.outputs.size() > 1 && ctx.outputs[1] != nullptr) {
      Tensor& mask = ctx.out(1);
      std::memset(mask.raw_data(), 1, mask.byte_size());
    }
    return Status::Ok();
  }
  if (IsQuantized(in)) {
    const float alpha = Alpha(ctx);
    const float beta = Beta(ctx);
    return RunQuantizedTable(ctx, [op, alpha, beta](float v) { return Eval<float>(op, v, alpha, beta); });
  }
  if (in.dtype() != DataType::kFloat16) return Compute(ctx, in, out);
  const Tensor wide_in = HalfToFloatTensor(in);
  Tensor wide_out(DataType::kFloat32, in.dims());
  QF_RETURN_IF_ERROR(Compute(ctx, wide_in, wide_out));
  FloatToHalfTensor(wide_out, &out);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::unary
