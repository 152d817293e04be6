// Fused activations (QUANT_SPEC 2): a Relu / Relu6 / Clip folded into the op
// that produces its input becomes a clamp of that op's output, stored on the
// producing node as the float attributes "activation_min" and
// "activation_max" (absent = unbounded). Float kernels clamp in float; integer
// kernels clamp to the bounds quantized with the output's (S, Z).
#pragma once

#include <limits>

#include "ir/graph.h"
#include "qscheme/arithmetic.h"

namespace qforge::quant {

inline constexpr const char* kActivationMin = "activation_min";
inline constexpr const char* kActivationMax = "activation_max";

struct ActivationRange {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
  bool unbounded() const;
};

// The node's fused clamp (unbounded when it has none).
ActivationRange FusedActivation(const ir::Node& node);
// Records a clamp on `node`, intersecting it with any clamp already fused.
void FuseActivation(ir::Node* node, ActivationRange range);

// Clamps every element of a float32 tensor in place (NaN stays NaN).
void ApplyActivation(const ActivationRange& range, Tensor* t);

// [qmin, qmax] of the output type narrowed by the fused clamp: each bound is
// quantized with the output's per-tensor (scale, zero point), rounding half
// away from zero (TFLite's CalculateActivationRangeQuantized), then
// intersected with the type's range.
QuantLimits QuantizedActivationLimits(const ActivationRange& range, float scale, int32_t zero_point,
                                      QuantLimits type_limits);

}  // namespace qforge::quant
