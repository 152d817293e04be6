// Helpers shared by the integer-kernel op tests (int_elementwise_test.cc,
// int_pool_movement_test.cc): quantized tensors, one-node runs with declared
// output types (as the quantizer leaves them), and dequantization.
#pragma once

#include <random>
#include <vector>

#include "ir/attribute.h"
#include "ir/op_kind.h"
#include "qforge/status.h"
#include "qforge/tensor.h"
#include "qscheme/arithmetic.h"

namespace qforge::testing {

using Ints = std::vector<int64_t>;

QuantParams QP(float scale, int64_t zero_point);
// A tensor of integer values `q` with per-tensor (scale, zp).
Tensor Q(DataType dtype, Ints dims, const std::vector<double>& q, float scale, int64_t zp);

// The declared type of an output value.
struct Decl {
  DataType dtype = DataType::kInt8;
  QuantParams quant;
};

// Runs one node whose output values are declared with `outs`.
Result<std::vector<Tensor>> RunQN(OpKind op, const ir::Attributes& attrs,
                                  const std::vector<const Tensor*>& ins, const std::vector<Decl>& outs);
Result<Tensor> RunQ(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& ins, Decl out);

Ints QValues(const Tensor& t);
quant::QuantLimits Limits(DataType d);
// Uniformly random int8/uint8 values with per-tensor (scale, zp).
Tensor RandomQ(DataType dtype, Ints dims, float scale, int64_t zp, std::mt19937* rng);
// float32 r = S * (q - Z), per tensor.
Tensor Dequantize(const Tensor& t);

}  // namespace qforge::testing
