// Helpers for the single-op golden tests of tests/ops.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/attribute.h"
#include "ir/graph.h"
#include "ops/infer.h"
#include "ops/op_kind.h"
#include "qforge/tensor.h"
#include "test_util.h"

namespace qforge::testing {

// RunSingleOp for a one-output op.
Result<Tensor> RunOp(OpKind op, const std::vector<const Tensor*>& ins, const ir::Attributes& attrs = {});

// Values of RunOp's output; records a test failure (and returns {}) if the
// op fails.
std::vector<double> RunValues(OpKind op, const std::vector<const Tensor*>& ins,
                              const ir::Attributes& attrs = {});

// Shape inference alone on input types, with the data of some inputs
// (nullptr = unknown), as the interpreter sees a node at prepare time.
Result<std::vector<ir::TensorType>> InferTypes(OpKind op, const ir::Attributes& attrs,
                                               const std::vector<ir::TensorType>& types,
                                               const std::vector<const Tensor*>& values, int num_outputs = 1);

// Every element as a double (bool and float16 decoded), row-major.
std::vector<double> Values(const Tensor& t);

// Shorthands for test inputs.
inline Tensor F32(std::vector<int64_t> dims, const std::vector<double>& v) {
  return MakeTensor(DataType::kFloat32, std::move(dims), v);
}
inline Tensor I64(std::vector<int64_t> dims, const std::vector<double>& v) {
  return MakeTensor(DataType::kInt64, std::move(dims), v);
}
inline Tensor I32(std::vector<int64_t> dims, const std::vector<double>& v) {
  return MakeTensor(DataType::kInt32, std::move(dims), v);
}

}  // namespace qforge::testing
