#include "op_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ops/infer.h"

namespace qforge::testing {

Result<Tensor> RunOp(OpKind op, const std::vector<const Tensor*>& ins, const ir::Attributes& attrs) {
  auto r = RunSingleOp(op, attrs, ins);
  if (!r.ok()) return r.status();
  return std::move(r.value()[0]);
}

std::vector<double> RunValues(OpKind op, const std::vector<const Tensor*>& ins, const ir::Attributes& attrs) {
  auto r = RunOp(op, ins, attrs);
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return {};
  }
  return Values(r.value());
}

Tensor Run1(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs) {
  auto r = RunSingleOp(op, attrs, inputs);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Tensor();
  return std::move(r.value()[0]);
}

Tensor RunOk(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs, DataType dtype,
             const std::vector<int64_t>& dims) {
  Result<std::vector<Tensor>> r = RunSingleOp(op, attrs, inputs);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Tensor();
  EXPECT_EQ(r->at(0).dtype(), dtype) << DataTypeName(r->at(0).dtype());
  EXPECT_EQ(r->at(0).dims(), dims) << r->at(0).ShapeString();
  return std::move(r->at(0));
}

StatusCode RunCode(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& inputs) {
  return RunSingleOp(op, attrs, inputs).status().code();
}

Result<std::vector<ir::TensorType>> InferTypes(OpKind op, const ir::Attributes& attrs,
                                               const std::vector<const ir::TensorType*>& inputs,
                                               const std::vector<const Tensor*>& values, int num_outputs) {
  ir::Graph g;
  std::vector<bool> present;
  for (const ir::TensorType* in : inputs) present.push_back(in != nullptr);
  ir::Node n = SingleNode(&g, op, attrs, present, num_outputs);
  ops::InferContext ctx;
  ctx.graph = &g;
  ctx.node = &n;
  ctx.inputs = inputs;
  ctx.values = values;
  ctx.values.resize(inputs.size(), nullptr);
  QF_RETURN_IF_ERROR(ops::InferNode(ctx));
  return ctx.outputs;
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> v;
  if (t.dtype() == DataType::kUndefined) return v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(At(t, i));
  return v;
}

void ExpectTensor(const Tensor& got, const std::vector<int64_t>& dims, const std::vector<double>& want,
                  double tol) {
  ASSERT_EQ(got.dims(), dims);
  const std::vector<double> v = Values(got);
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(v[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << "element " << i;
  }
}

Tensor RandomF32(std::vector<int64_t> dims, std::mt19937* rng) {
  Tensor t(DataType::kFloat32, std::move(dims));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.span<float>()) v = dist(*rng);
  return t;
}

ir::ValueId AddNode(ir::Graph& g, OpKind op, std::vector<ir::ValueId> ins, const std::string& out,
                    ir::Attributes attrs) {
  ir::Node n;
  n.name = out;
  n.op = op;
  n.inputs = std::move(ins);
  n.attrs = std::move(attrs);
  ir::ValueId v = g.AddValue(out);
  n.outputs = {v};
  g.AddNode(std::move(n));
  return v;
}

}  // namespace qforge::testing
