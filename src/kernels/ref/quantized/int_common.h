// Shared pieces of the reference integer kernels of the quantized IR
// (docs/design/quantized_ir.md): reading a tensor's per-tensor (S, Z) and its
// type's range, element access, and the single requantization step
// q_out = clamp(Z_out + MultiplyByQuantizedMultiplier(q_in - Z_in, S_in / S_out))
// used by Requantize, Concat and Pad. All arithmetic is that of
// qscheme/arithmetic.h (normative); nothing here re-implements it.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/kernel.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::ref {

// True for an int8/uint8/int16/int32 tensor that carries quantization
// parameters (the quantized IR's definition of a quantized value).
bool IsQuantized(const Tensor& t);

// One tensor's per-tensor affine parameters and its dtype's [qmin, qmax].
struct TensorQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
  quant::QuantLimits limits;
};

// Reads t's per-tensor (S, Z). `what` names the tensor in errors ("input 0",
// "the output"): no parameters, per-axis parameters, a scale that is not
// positive and finite, a zero point outside the type, or a dtype other than
// int8/uint8/int16 are errors naming the node.
Status ReadTensorQuant(const KernelContext& ctx, const Tensor& t, const std::string& what, TensorQuant* out);

// `real` as a fixed-point multiplier; an error naming the node and `what`
// when QuantizeMultiplier rejects it (negative, NaN, infinite, >= 2^31).
Status MultiplierFor(const KernelContext& ctx, double real, const std::string& what,
                     quant::QuantizedMultiplier* out);

// acc * M rounded, with the graph's requantization rule (ir::Requantization):
// fixed point (QUANT_SPEC 3: MultiplyByQuantizedMultiplier) or ONNX's
// round_half_even(float(acc) * real_f). The zero point is the caller's.
struct Rescaler {
  ir::Requantization rule = ir::Requantization::kFixedPoint;
  quant::QuantizedMultiplier fixed;
  float real = 0.0f;  // M in float32, computed as ONNX Runtime computes it

  int64_t operator()(int32_t acc) const;
};

// The rule of the graph ctx runs (fixed point when there is no graph).
ir::Requantization RuleOf(const KernelContext& ctx);

// A Rescaler for M = `real` (double, for the fixed-point multiplier) and
// `real_f` (float32, for the float rule); errors as MultiplierFor.
Status MakeRescaler(const KernelContext& ctx, double real, float real_f, const std::string& what,
                    Rescaler* out);

// Moves a quantized value from one (S, Z) and type to another.
// Under the float rule this is ONNX's DequantizeLinear -> QuantizeLinear.
struct Requantizer {
  ir::Requantization rule = ir::Requantization::kFixedPoint;
  int32_t in_zero_point = 0;
  int32_t out_zero_point = 0;
  float in_scale = 1.0f;
  float out_scale = 1.0f;
  quant::QuantizedMultiplier multiplier;
  quant::QuantLimits limits;  // of the output type

  int32_t operator()(int32_t q) const;
};

// M = S_in / S_out (computed in double). Equal scales give M = 1, which is
// exact, so int8 <-> uint8 with one scale is a zero-point shift by 128.
Status MakeRequantizer(const KernelContext& ctx, const TensorQuant& in, const TensorQuant& out,
                       Requantizer* r);

}  // namespace qforge::kernels::ref
