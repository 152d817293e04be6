// Small helpers for the quantization op tests (tests/ops/*quant*, *integer*,
// qlinear_*).
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "ir/attribute.h"
#include "ir/graph.h"
#include "ops/infer.h"
#include "qforge/tensor.h"
#include "test_util.h"

namespace qforge::testing {

// All elements of an integer or float32 tensor as doubles.
inline std::vector<double> Values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    switch (t.dtype()) {
      case DataType::kFloat32:
        v.push_back(t.data<float>()[i]);
        break;
      case DataType::kInt8:
        v.push_back(t.data<int8_t>()[i]);
        break;
      case DataType::kUInt8:
        v.push_back(t.data<uint8_t>()[i]);
        break;
      case DataType::kInt16:
        v.push_back(t.data<int16_t>()[i]);
        break;
      case DataType::kInt32:
        v.push_back(t.data<int32_t>()[i]);
        break;
      case DataType::kInt64:
        v.push_back(static_cast<double>(t.data<int64_t>()[i]));
        break;
      default:
        ADD_FAILURE() << "unexpected dtype " << DataTypeName(t.dtype());
        return v;
    }
  }
  return v;
}

// A rank-0 tensor.
inline Tensor Scalar(DataType dtype, double value) { return MakeTensor(dtype, {}, {value}); }

// Runs one op and expects success with a single output of `dtype`, `dims`.
inline Tensor RunOk(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs,
                    DataType dtype, const std::vector<int64_t>& dims) {
  Result<std::vector<Tensor>> r = RunSingleOp(op, attrs, inputs);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Tensor();
  EXPECT_EQ(r->at(0).dtype(), dtype) << DataTypeName(r->at(0).dtype());
  EXPECT_EQ(r->at(0).dims(), dims) << r->at(0).ShapeString();
  return std::move(r->at(0));
}

// Runs one op and returns the error code (kOk if it succeeded).
inline StatusCode RunCode(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs) {
  return RunSingleOp(op, attrs, inputs).status().code();
}

// Shape inference alone on input types (no data): outputs, or the error.
inline Result<std::vector<ir::TensorType>> InferTypes(OpKind op, const ir::Attributes& attrs,
                                                      const std::vector<const ir::TensorType*>& inputs,
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
  ctx.values.assign(inputs.size(), nullptr);
  QF_RETURN_IF_ERROR(ops::InferNode(ctx));
  return ctx.outputs;
}

}  // namespace qforge::testing
