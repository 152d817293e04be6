#include "int_test_helpers.h"

#include "kernels/evaluate.h"
#include "op_test_helpers.h"

namespace qforge::testing {

QuantParams QP(float scale, int64_t zero_point) { return QuantParams{{scale}, {zero_point}, -1}; }

Tensor Q(DataType dtype, Ints dims, const std::vector<double>& q, float scale, int64_t zp) {
  Tensor t = MakeTensor(dtype, std::move(dims), q);
  t.set_quant(QP(scale, zp));
  return t;
}

Result<std::vector<Tensor>> RunQN(OpKind op, const ir::Attributes& attrs,
                                  const std::vector<const Tensor*>& ins, const std::vector<Decl>& outs) {
  ir::Graph g;
  g.name = "int_test";
  std::vector<bool> present;
  for (const Tensor* t : ins) present.push_back(t != nullptr);
  ir::Node n = SingleNode(&g, op, attrs, present, static_cast<int>(outs.size()));
  for (size_t i = 0; i < outs.size(); ++i) {
    g.value(n.outputs[i]).type.dtype = outs[i].dtype;
    g.value(n.outputs[i]).type.quant = outs[i].quant;
  }
  std::vector<Tensor> result;
  QF_RETURN_IF_ERROR(kernels::EvaluateNode(g, n, ins, &result));
  return result;
}

Result<Tensor> RunQ(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& ins, Decl out) {
  Result<std::vector<Tensor>> r = RunQN(op, attrs, ins, {out});
  if (!r.ok()) return r.status();
  return std::move(r->at(0));
}

Ints QValues(const Tensor& t) {
  Ints v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(IntElement(t, i));
  return v;
}

quant::QuantLimits Limits(DataType d) {
  Result<quant::QuantLimits> l = quant::LimitsOf(d);
  return *l;
}

Tensor RandomQ(DataType dtype, Ints dims, float scale, int64_t zp, std::mt19937* rng) {
  Tensor t(dtype, std::move(dims));
  const quant::QuantLimits l = Limits(dtype);
  std::uniform_int_distribution<int32_t> dist(l.qmin, l.qmax);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (dtype == DataType::kInt8) {
      t.data<int8_t>()[i] = static_cast<int8_t>(dist(*rng));
    } else {
      t.data<uint8_t>()[i] = static_cast<uint8_t>(dist(*rng));
    }
  }
  t.set_quant(QP(scale, zp));
  return t;
}

Tensor Dequantize(const Tensor& t) {
  Tensor f(DataType::kFloat32, t.dims());
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    f.data<float>()[i] =
        quant::DequantizeValue(IntElement(t, i), t.quant().scale[0], t.quant().zero_point[0]);
  }
  return f;
}

}  // namespace qforge::testing
