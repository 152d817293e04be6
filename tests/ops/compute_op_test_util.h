// Helpers for the compute-op tests (conv, pool, matmul, ...): shorthand
// tensor builders, shape inference of one node on declared input types, and
// a seeded random fill for the cross-checks against naive formulations.
// A namespace of their own keeps them apart from other suites' helpers of the
// same names (the ops suite links into one binary).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ops/infer.h"
#include "test_util.h"

namespace qforge::testing::compute_ops {

inline Tensor F32(std::vector<int64_t> dims, const std::vector<double>& values) {
  return MakeTensor(DataType::kFloat32, std::move(dims), values);
}
inline Tensor I64(std::vector<int64_t> dims, const std::vector<double>& values) {
  return MakeTensor(DataType::kInt64, std::move(dims), values);
}

inline std::vector<double> Values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    switch (t.dtype()) {
      case DataType::kFloat32:
        v.push_back(t.data<float>()[i]);
        break;
      case DataType::kFloat64:
        v.push_back(t.data<double>()[i]);
        break;
      case DataType::kInt32:
        v.push_back(t.data<int32_t>()[i]);
        break;
      case DataType::kInt64:
        v.push_back(static_cast<double>(t.data<int64_t>()[i]));
        break;
      case DataType::kUInt8:
        v.push_back(t.data<uint8_t>()[i]);
        break;
      case DataType::kInt8:
        v.push_back(t.data<int8_t>()[i]);
        break;
      default:
        ADD_FAILURE() << "unexpected dtype";
        return v;
    }
  }
  return v;
}

// Float32 results are compared against hand values within float rounding of
// a handful of operations.
inline constexpr double kHandTolerance = 1e-5;

inline void ExpectTensor(const Tensor& got, const std::vector<int64_t>& dims, const std::vector<double>& want,
                         double tol = kHandTolerance) {
  ASSERT_EQ(got.dims(), dims);
  const std::vector<double> v = Values(got);
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(v[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << "element " << i;
  }
}

// Runs the node and returns its first output; fails the test on error.
inline Tensor Run1(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs) {
  auto r = RunSingleOp(op, attrs, inputs);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Tensor();
  return std::move(r.value()[0]);
}

inline ir::TensorType Type(DataType dtype, std::vector<int64_t> dims) {
  return ops::MakeType(dtype, std::move(dims));
}

// Shape inference of one node from declared input types (nullptr = omitted)
// and optional known input values.
inline Result<std::vector<ir::TensorType>> InferTypes(OpKind op, const ir::Attributes& attrs,
                                                      const std::vector<const ir::TensorType*>& inputs,
                                                      const std::vector<const Tensor*>& values = {},
                                                      int num_outputs = 1) {
  ir::Graph g;
  ir::Node n;
  n.name = "op";
  n.op = op;
  n.attrs = attrs;
  for (size_t i = 0; i < inputs.size(); ++i) n.inputs.push_back(inputs[i] ? g.AddValue("in") : ir::kNoValue);
  for (int i = 0; i < num_outputs; ++i) n.outputs.push_back(g.AddValue("out"));
  ops::InferContext ctx;
  ctx.graph = &g;
  ctx.node = &n;
  ctx.inputs = inputs;
  ctx.values = values;
  ctx.values.resize(inputs.size(), nullptr);
  QF_RETURN_IF_ERROR(ops::InferNode(ctx));
  return ctx.outputs;
}

inline Tensor RandomF32(std::vector<int64_t> dims, std::mt19937* rng) {
  Tensor t(DataType::kFloat32, std::move(dims));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.span<float>()) v = dist(*rng);
  return t;
}

}  // namespace qforge::testing::compute_ops
