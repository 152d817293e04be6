#include "op_test_helpers.h"

#include <gtest/gtest.h>

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

Result<std::vector<ir::TensorType>> InferTypes(OpKind op, const ir::Attributes& attrs,
                                               const std::vector<ir::TensorType>& types,
                                               const std::vector<const Tensor*>& values, int num_outputs) {
  ir::Graph g;
  ir::Node n;
  n.name = "op";
  n.op = op;
  n.attrs = attrs;
  ops::InferContext ctx;
  ctx.graph = &g;
  ctx.node = &n;
  for (size_t i = 0; i < types.size(); ++i) {
    n.inputs.push_back(g.AddValue("in" + std::to_string(i)));
    ctx.inputs.push_back(&types[i]);
    ctx.values.push_back(i < values.size() ? values[i] : nullptr);
  }
  for (int i = 0; i < num_outputs; ++i) n.outputs.push_back(g.AddValue("out" + std::to_string(i)));
  QF_RETURN_IF_ERROR(ops::InferNode(ctx));
  return ctx.outputs;
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    switch (t.dtype()) {
      case DataType::kFloat32:
        v.push_back(t.data<float>()[i]);
        break;
      case DataType::kFloat64:
        v.push_back(t.data<double>()[i]);
        break;
      case DataType::kFloat16:
        v.push_back(HalfToFloat(t.data<uint16_t>()[i]));
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
      case DataType::kBool:
        v.push_back(t.data<uint8_t>()[i]);
        break;
      case DataType::kUndefined:
        break;
    }
  }
  return v;
}

}  // namespace qforge::testing
