#include "onnx_qdq_test_util.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <variant>

#include "io/data/dataset.h"
#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge::onnx_qdq_test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  path_ = fs::temp_directory_path() / ("qf_qdq_" + std::to_string(std::random_device{}()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  if (std::getenv("QF_KEEP_QDQ_FILES") == nullptr) fs::remove_all(path_);
}

QuantParams PerTensor(float scale, int64_t zero_point) { return QuantParams{{scale}, {zero_point}, -1}; }

QuantParams PerAxis(std::vector<float> scales, int axis) {
  QuantParams q;
  q.zero_point.assign(scales.size(), 0);
  q.scale = std::move(scales);
  q.axis = axis;
  return q;
}

ir::TensorType QType(DataType dtype, std::vector<int64_t> dims, QuantParams q) {
  ir::TensorType t;
  t.dtype = dtype;
  t.rank_known = true;
  t.dims = std::move(dims);
  t.quant = std::move(q);
  return t;
}

ir::ValueId AddQConst(ir::Graph* g, const std::string& name, Tensor t, QuantParams q) {
  t.set_quant(q);
  return g->AddConstant(name, std::move(t));
}

void AddOp(ir::Graph* g, OpKind op, const std::string& name, std::vector<ir::ValueId> ins,
           std::vector<ir::ValueId> outs, ir::Attributes attrs) {
  ir::Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(ins);
  n.outputs = std::move(outs);
  n.attrs = std::move(attrs);
  g->AddNode(std::move(n));
}

Tensor RandomInts(DataType dtype, std::vector<int64_t> dims, int lo, int hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(CheckedElementCount(dims)));
  for (double& x : v) x = dist(rng);
  return testing::MakeTensor(dtype, std::move(dims), v);
}

Tensor RandomFloats(std::vector<int64_t> dims, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(CheckedElementCount(dims)));
  for (double& x : v) x = dist(rng);
  return testing::MakeTensor(DataType::kFloat32, std::move(dims), v);
}

int OnnxCheck(const std::string& path) {
  const std::string cmd =
      "/usr/bin/python3 -c \"import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
      "full_check=True)\" '" +
      path + "'";
  return std::system(cmd.c_str());
}

OrtRun RunOrt(const std::string& model, const std::vector<Tensor>& inputs, size_t num_outputs,
              const TempDir& dir, bool qdq_int8) {
  OrtRun r;
  std::string cmd = "node '" + std::string(QFORGE_SOURCE_DIR) + "/tests/unit/ort_qdq_run.js' '" + model +
                    "' '" + dir.file("ort_out") + "' --optimized '" + dir.file("optimized.onnx") + "'" +
                    (qdq_int8 ? " --qdq-int8" : "");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = dir.file("in_" + std::to_string(i) + ".npy");
    Status s = io::WriteNpy(p, inputs[i]);
    EXPECT_TRUE(s.ok()) << s.ToString();
    cmd += " '" + p + "'";
  }
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "ONNX Runtime failed: " << cmd;
    return r;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    auto t = io::ReadNpy(dir.file("ort_out/output_" + std::to_string(i) + ".npy"));
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return r;
    r.outputs.push_back(std::move(t).value());
  }
  std::ifstream f(dir.file("optimized.onnx"), std::ios::binary);
  std::stringstream bytes;
  bytes << f.rdbuf();
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes.str())) << "ORT's optimized model";
  for (const onnx::NodeProto& n : m.graph().node()) r.optimized_ops.insert(n.op_type());
  r.ok = true;
  return r;
}

std::vector<Tensor> RunQforge(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  auto out = interp.Run(inputs);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? std::move(out).value() : std::vector<Tensor>{};
}

int64_t MaxStepDiff(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.dims() != b.dims()) return -1;
  int64_t m = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i)
    m = std::max(m, std::abs(IntElement(a, i) - IntElement(b, i)));
  return m;
}

namespace {

bool SameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() && a.quant() == b.quant() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

bool SameAttribute(const ir::Attribute& a, const ir::Attribute& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Tensor>) {
          return SameTensor(x, std::get<Tensor>(b));
        } else {
          return x == std::get<T>(b);
        }
      },
      a);
}

std::string DescribeValue(const ir::Graph& g, ir::ValueId id) {
  if (id == ir::kNoValue) return "<none>";
  const ir::Value& v = g.value(id);
  std::string s = "'" + v.name + "' " + DataTypeName(v.type.dtype);
  if (!v.type.quant.empty()) {
    s += " scale " + std::to_string(v.type.quant.scale[0]) + " zp " +
         std::to_string(v.type.quant.zero_point[0]) + " axis " + std::to_string(v.type.quant.axis) + " n " +
         std::to_string(v.type.quant.scale.size());
  }
  return s + (v.is_constant() ? " const" : "");
}

bool SameValue(const ir::Graph& ga, ir::ValueId a, const ir::Graph& gb, ir::ValueId b) {
  if ((a == ir::kNoValue) != (b == ir::kNoValue)) return false;
  if (a == ir::kNoValue) return true;
  const ir::Value& va = ga.value(a);
  const ir::Value& vb = gb.value(b);
  if (va.name != vb.name || va.type.dtype != vb.type.dtype || !(va.type.quant == vb.type.quant)) return false;
  if (va.is_constant() != vb.is_constant()) return false;
  return !va.is_constant() || SameTensor(*va.constant, *vb.constant);
}

}  // namespace

std::string DiffGraphs(const ir::Graph& a, const ir::Graph& b) {
  if (a.nodes.size() != b.nodes.size()) {
    return "node count " + std::to_string(a.nodes.size()) + " vs " + std::to_string(b.nodes.size()) + "\n" +
           ir::PrintGraph(a) + "\nvs\n" + ir::PrintGraph(b);
  }
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const ir::Node& na = a.nodes[i];
    const ir::Node& nb = b.nodes[i];
    const std::string where =
        "node " + std::to_string(i) + " " + a.Describe(na) + " vs " + b.Describe(nb) + ": ";
    if (na.op != nb.op || na.name != nb.name) return where + "op or name";
    if (na.inputs.size() != nb.inputs.size() || na.outputs.size() != nb.outputs.size())
      return where + "arity";
    for (size_t k = 0; k < na.inputs.size(); ++k) {
      if (!SameValue(a, na.inputs[k], b, nb.inputs[k]))
        return where + "input " + std::to_string(k) + " " + DescribeValue(a, na.inputs[k]) + " vs " +
               DescribeValue(b, nb.inputs[k]);
    }
    for (size_t k = 0; k < na.outputs.size(); ++k) {
      if (!SameValue(a, na.outputs[k], b, nb.outputs[k]))
        return where + "output " + std::to_string(k) + " " + DescribeValue(a, na.outputs[k]) + " vs " +
               DescribeValue(b, nb.outputs[k]);
    }
    if (na.attrs.all().size() != nb.attrs.all().size()) return where + "attribute count";
    for (const auto& [name, value] : na.attrs.all()) {
      if (!nb.attrs.Has(name) || !SameAttribute(value, nb.attrs.all().at(name)))
        return where + "attribute " + name;
    }
  }
  for (size_t i = 0; i < a.outputs.size() && i < b.outputs.size(); ++i) {
    if (!SameValue(a, a.outputs[i], b, b.outputs[i])) return "graph output " + std::to_string(i);
  }
  return a.outputs.size() == b.outputs.size() && a.inputs.size() == b.inputs.size() ? "" : "graph I/O count";
}

Exported ExportAndRun(const ir::Graph& g, const std::vector<Tensor>& inputs, const TempDir& dir,
                      const std::string& name, bool qdq_int8) {
  Exported e;
  e.path = dir.file(name + ".onnx");
  Status s = io::WriteOnnx(g, e.path);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return e;
  EXPECT_EQ(OnnxCheck(e.path), 0) << "onnx.checker rejected " << e.path;
  e.ort = RunOrt(e.path, inputs, g.outputs.size(), dir, qdq_int8);
  e.qforge = RunQforge(g, inputs);
  auto back = io::ReadOnnx(e.path);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  if (back.ok()) e.back = std::move(back).value();
  return e;
}

}  // namespace qforge::onnx_qdq_test
