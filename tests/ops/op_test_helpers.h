// Helpers for the single-op tests of tests/ops: shorthand tensor builders,
// running one node, shape inference of one node on declared input types, and
// a seeded random fill for the cross-checks against naive formulations.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "ir/attribute.h"
#include "ir/graph.h"
#include "ir/op_kind.h"
#include "ops/infer.h"
#include "qforge/tensor.h"
#include "test_util.h"

namespace qforge::testing {

// RunSingleOp for a one-output op.
Result<Tensor> RunOp(OpKind op, const std::vector<const Tensor*>& ins, const ir::Attributes& attrs = {});

// Values of RunOp's output; records a test failure (and returns {}) if the
// op fails.
std::vector<double> RunValues(OpKind op, const std::vector<const Tensor*>& ins,
                              const ir::Attributes& attrs = {});

// Runs the node and returns its first output; fails the test on error.
Tensor Run1(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs);

// Runs one op and expects success with a single output of `dtype`, `dims`.
Tensor RunOk(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs, DataType dtype,
             const std::vector<int64_t>& dims);

// Runs one op and returns the error code (kOk if it succeeded).
StatusCode RunCode(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs);

// Shape inference alone on declared input types (nullptr = omitted input)
// and optional known input values (nullptr = unknown), as the interpreter
// sees a node at prepare time.
Result<std::vector<ir::TensorType>> InferTypes(OpKind op, const ir::Attributes& attrs,
                                               const std::vector<const ir::TensorType*>& inputs,
                                               const std::vector<const Tensor*>& values = {},
                                               int num_outputs = 1);

// Every element as a double (bool and float16 decoded), row-major.
std::vector<double> Values(const Tensor& t);

// Float32 results are compared against hand values within float rounding of
// a handful of operations.
inline constexpr double kHandTolerance = 1e-5;

// Expects `got` to have `dims` and elements within `tol` (relative to
// max(1, |want|)) of `want`.
void ExpectTensor(const Tensor& got, const std::vector<int64_t>& dims, const std::vector<double>& want,
                  double tol = kHandTolerance);

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

// A rank-0 tensor.
inline Tensor Scalar(DataType dtype, double value) { return MakeTensor(dtype, {}, {value}); }

inline ir::TensorType Type(DataType dtype, std::vector<int64_t> dims) {
  return ops::MakeType(dtype, std::move(dims));
}

// Appends to `g` a node `op` named `out` with one output value `out`; the value.
ir::ValueId AddNode(ir::Graph& g, OpKind op, std::vector<ir::ValueId> ins, const std::string& out,
                    ir::Attributes attrs = {});

// Uniform values in [-1, 1) from `rng`.
Tensor RandomF32(std::vector<int64_t> dims, std::mt19937* rng);

}  // namespace qforge::testing
