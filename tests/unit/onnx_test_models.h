// Builders for small ONNX models in the importer tests: the files are made
// in code (no binary test data), so every test states the model it reads.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/onnx/onnx_reader.h"

namespace qforge::onnx_test {

namespace fs = std::filesystem;

inline void SetType(onnx::ValueInfoProto* v, const std::string& name, int32_t elem,
                    const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

inline void FloatInit(onnx::TensorProto* t, const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<float>& values) {
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(values.data(), values.size() * sizeof(float));
}

inline onnx::NodeProto* AddNode(onnx::GraphProto* g, const std::string& op,
                                const std::vector<std::string>& ins, const std::vector<std::string>& outs,
                                const std::string& name = "") {
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

inline void IntsAttr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

inline onnx::ModelProto BaseModel(int64_t opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  m.mutable_graph()->set_name("g");
  return m;
}

// Y = X + W, X: float[2, 3] input, W an initializer.
inline onnx::ModelProto AddModel() {
  onnx::ModelProto m = BaseModel();
  auto* g = m.mutable_graph();
  SetType(g->add_input(), "X", onnx::TensorProto::FLOAT, {2, 3});
  FloatInit(g->add_initializer(), "W", {2, 3}, {1, 2, 3, 4, 5, 6});
  AddNode(g, "Add", {"X", "W"}, {"Y"}, "add");
  SetType(g->add_output(), "Y", onnx::TensorProto::FLOAT, {2, 3});
  return m;
}

inline Result<std::unique_ptr<ir::Graph>> Read(const onnx::ModelProto& m, const std::string& dir = "") {
  std::string bytes;
  EXPECT_TRUE(m.SerializeToString(&bytes));
  return io::ReadOnnxFromBytes(bytes, "m.onnx", dir.empty() ? fs::temp_directory_path().string() : dir);
}

inline void ExpectError(const Result<std::unique_ptr<ir::Graph>>& r, StatusCode code,
                        const std::string& fragment) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().rfind("m.onnx: ", 0), 0u)
      << "errors start with the file: " << r.status().message();
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "one-line errors";
}

inline const ir::Node* FindNode(const ir::Graph& g, OpKind op) {
  for (const ir::Node& n : g.nodes) {
    if (n.op == op) return &n;
  }
  return nullptr;
}

inline std::vector<int64_t> IntValues(const ir::Graph& g, ir::ValueId id) {
  const Tensor& t = *g.value(id).constant;
  std::vector<int64_t> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(t.data<int64_t>()[i]);
  return v;
}

// A scratch folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("qf_onnx_" + std::to_string(std::random_device{}()));
    fs::create_directories(path_ / "model");
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path model_dir() const { return path_ / "model"; }
  fs::path root() const { return path_; }

 private:
  fs::path path_;
};
}  // namespace qforge::onnx_test
