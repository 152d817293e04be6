#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/data/dataset.h"
#include "kernels/evaluate.h"

namespace qforge::testing {

std::string SourcePath(const std::string& rel) { return std::string(QFORGE_SOURCE_DIR) + "/" + rel; }

std::vector<Tensor> ReadNumberedNpy(const std::string& dir, const std::string& name,
                                    const std::string& kind) {
  std::vector<Tensor> out;
  for (int k = 0;; ++k) {
    const std::string p = dir + "/" + name + "." + kind + "_" + std::to_string(k) + ".npy";
    if (!std::filesystem::exists(p)) break;
    Result<Tensor> t = io::ReadNpy(p);
    if (!t.ok()) {
      ADD_FAILURE() << t.status().ToString();
      break;
    }
    out.push_back(std::move(t).value());
  }
  return out;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

Tensor MakeTensor(DataType dtype, std::vector<int64_t> dims, const std::vector<double>& values) {
  Tensor t(dtype, std::move(dims));
  const size_t n = static_cast<size_t>(t.num_elements());
  for (size_t i = 0; i < n && i < values.size(); ++i) {
    double v = values[i];
    switch (dtype) {
      case DataType::kFloat32:
        t.data<float>()[i] = static_cast<float>(v);
        break;
      case DataType::kFloat64:
        t.data<double>()[i] = v;
        break;
      case DataType::kFloat16:
        t.data<uint16_t>()[i] = FloatToHalf(static_cast<float>(v));
        break;
      case DataType::kInt8:
        t.data<int8_t>()[i] = static_cast<int8_t>(v);
        break;
      case DataType::kUInt8:
        t.data<uint8_t>()[i] = static_cast<uint8_t>(v);
        break;
      case DataType::kInt16:
        t.data<int16_t>()[i] = static_cast<int16_t>(v);
        break;
      case DataType::kInt32:
        t.data<int32_t>()[i] = static_cast<int32_t>(v);
        break;
      case DataType::kInt64:
        t.data<int64_t>()[i] = static_cast<int64_t>(v);
        break;
      case DataType::kBool:
        t.data<uint8_t>()[i] = v != 0 ? 1 : 0;
        break;
      case DataType::kUndefined:
        break;
    }
  }
  return t;
}

ir::Node SingleNode(ir::Graph* g, OpKind op, const ir::Attributes& attrs, const std::vector<bool>& present,
                    int num_outputs) {
  ir::Node n;
  n.name = "op";
  n.op = op;
  n.attrs = attrs;
  for (size_t i = 0; i < present.size(); ++i) {
    n.inputs.push_back(present[i] ? g->AddValue("in" + std::to_string(i)) : ir::kNoValue);
  }
  for (int i = 0; i < num_outputs; ++i) n.outputs.push_back(g->AddValue("out" + std::to_string(i)));
  return n;
}

Result<std::vector<Tensor>> RunSingleOp(OpKind op, const ir::Attributes& attrs,
                                        const std::vector<const Tensor*>& inputs, int num_outputs) {
  ir::Graph g;
  g.name = "single_op";
  std::vector<bool> present;
  for (const Tensor* in : inputs) present.push_back(in != nullptr);
  ir::Node n = SingleNode(&g, op, attrs, present, num_outputs);
  std::vector<Tensor> outs;
  QF_RETURN_IF_ERROR(kernels::EvaluateNode(g, n, inputs, &outs));
  return outs;
}

double At(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFloat32:
      return t.data<float>()[i];
    case DataType::kFloat64:
      return t.data<double>()[i];
    case DataType::kFloat16:
      return HalfToFloat(t.data<uint16_t>()[i]);
    default:
      return static_cast<double>(IntElement(t, i));
  }
}

double MaxRelError(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.dims() != b.dims()) return -1;
  double worst = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    double x = At(a, i), y = At(b, i);
    if (std::isnan(x) && std::isnan(y)) continue;
    if (std::isinf(x) && x == y) continue;
    double e = std::fabs(x - y) / std::max(1.0, std::fabs(y));
    if (!(e <= worst)) worst = std::isnan(e) ? INFINITY : e;
  }
  return worst;
}

}  // namespace qforge::testing
