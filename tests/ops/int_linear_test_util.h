// Helpers of the integer / hybrid Conv, Gemm and MatMul tests: quantized
// tensor builders, running one node whose output value declares its
// quantization parameters (as the quantizer leaves them), dequantizing, and
// the "quantize the float result" reference of the cross-checks.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/evaluate.h"
#include "op_test_helpers.h"
#include "qscheme/arithmetic.h"
#include "qscheme/fused_activation.h"

namespace qforge::testing {

// A tensor of quantized values `q` with parameters (scale, zero_point, axis).
inline Tensor QTensor(DataType dtype, std::vector<int64_t> dims, const std::vector<double>& q,
                      std::vector<float> scale, std::vector<int64_t> zero_point, int axis = -1) {
  Tensor t = MakeTensor(dtype, std::move(dims), q);
  t.set_quant(QuantParams{std::move(scale), std::move(zero_point), axis});
  return t;
}

// Runs `op` on `inputs` with its output value declared as `out_dtype` with
// `out_quant` (empty: no declared parameters), through shape inference and
// the reference kernel (kernels::EvaluateNode).
inline Result<Tensor> RunDeclared(OpKind op, const ir::Attributes& attrs,
                                  const std::vector<const Tensor*>& inputs, DataType out_dtype,
                                  const QuantParams& out_quant) {
  ir::Graph g;
  g.name = "single_op";
  std::vector<bool> present;
  for (const Tensor* in : inputs) present.push_back(in != nullptr);
  ir::Node n = SingleNode(&g, op, attrs, present, 1);
  ir::TensorType& declared = g.value(n.outputs[0]).type;
  declared.dtype = out_dtype;
  declared.quant = out_quant;
  std::vector<Tensor> outs;
  QF_RETURN_IF_ERROR(kernels::EvaluateNode(g, n, inputs, &outs));
  return std::move(outs[0]);
}

// r = S * (q - Z) per element, per tensor or along the parameters' axis, as
// float32 (quant::DequantizeValue).
inline Tensor Dequantized(const Tensor& q) {
  const QuantParams& p = q.quant();
  Tensor out(DataType::kFloat32, q.dims());
  int64_t inner = 1, channels = 1;
  if (p.per_axis()) {
    channels = q.dim(p.axis);
    for (int i = p.axis + 1; i < q.rank(); ++i) inner *= q.dim(i);
  }
  for (int64_t i = 0; i < q.num_elements(); ++i) {
    const size_t c = p.per_axis() ? static_cast<size_t>((i / inner) % channels) : 0;
    const int64_t z = p.zero_point.empty() ? 0 : p.zero_point[std::min(c, p.zero_point.size() - 1)];
    out.data<float>()[i] = quant::DequantizeValue(IntElement(q, i), p.scale[c], z);
  }
  return out;
}

// Uniform integers in [lo, hi].
inline std::vector<double> RandomInts(int64_t count, int64_t lo, int64_t hi, std::mt19937* rng) {
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(count));
  for (double& x : v) x = static_cast<double>(dist(*rng));
  return v;
}

inline float RandomScale(float lo, float hi, std::mt19937* rng) {
  return std::uniform_real_distribution<float>(lo, hi)(*rng);
}

inline int64_t Count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// Output parameters covering the float result's range (what calibration
// would choose), for `dtype`.
inline QuantParams OutputParamsFor(const Tensor& float_result, DataType dtype) {
  float lo = 0.0f, hi = 0.0f;
  for (float v : float_result.span<float>()) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  quant::QuantLimits limits = quant::LimitsOf(dtype).value();
  quant::AffineParams a = quant::ChooseQuantParams(lo, hi, limits.qmin, limits.qmax, false).value();
  return QuantParams{{a.scale}, {a.zero_point}, -1};
}

// Expects the integer result `got` within `max_steps` of the float result
// quantized with got's parameters and clamped to the fused activation's
// quantized limits (QUANT_SPEC: an integer kernel matches the float op on
// dequantized operands within one output step).
inline void ExpectWithinSteps(const Tensor& got, const Tensor& float_result, const ir::Attributes& attrs,
                              int max_steps) {
  ASSERT_EQ(got.dims(), float_result.dims());
  const QuantParams& p = got.quant();
  ASSERT_FALSE(p.empty());
  ir::Node node;
  node.attrs = attrs;
  const quant::QuantLimits limits = quant::QuantizedActivationLimits(quant::FusedActivation(node), p.scale[0],
                                                                     static_cast<int32_t>(p.zero_point[0]),
                                                                     quant::LimitsOf(got.dtype()).value());
  int worst = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const int32_t want =
        quant::QuantizeValue(float_result.data<float>()[i], p.scale[0], static_cast<int32_t>(p.zero_point[0]),
                             limits.qmin, limits.qmax, quant::RoundingRule::kHalfAwayFromZero);
    const int diff = static_cast<int>(std::abs(IntElement(got, i) - want));
    worst = std::max(worst, diff);
    ASSERT_LE(diff, max_steps) << "element " << i << ": got " << IntElement(got, i) << ", float result "
                               << float_result.data<float>()[i] << " quantizes to " << want;
    ASSERT_GE(IntElement(got, i), limits.qmin);
    ASSERT_LE(IntElement(got, i), limits.qmax);
  }
}

// An integer bias for weights with scales `w_scale` and input scale x_scale:
// int32, zero point 0, scale[c] = S_x * S_w[c].
inline Tensor IntBias(const std::vector<double>& q, float x_scale, const std::vector<float>& w_scale) {
  std::vector<float> scales;
  for (float s : w_scale) scales.push_back(x_scale * s);
  std::vector<int64_t> zeros(scales.size(), 0);
  const int axis = scales.size() > 1 ? 0 : -1;
  return QTensor(DataType::kInt32, {static_cast<int64_t>(q.size())}, q, scales, zeros, axis);
}

}  // namespace qforge::testing
