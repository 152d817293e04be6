// The ONNX importer on broken and unsupported files: one-line Status errors
// naming the file (never a crash, never an allocation the file only claims).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "io/onnx/onnx_reader.h"
#include "runtime/interpreter.h"
#include "test_util.h"
#include "unit/onnx_test_models.h"

namespace qforge {
namespace {

using namespace onnx_test;  // NOLINT: test-local builders

// --- Broken and unsupported files -----------------------------------------

TEST(OnnxReader, EmptyFile) {
  ExpectError(io::ReadOnnxFromBytes("", "m.onnx", "."), StatusCode::kInvalidModel, "empty");
}

TEST(OnnxReader, RandomBytes) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 50; ++trial) {
    std::string bytes(static_cast<size_t>(1 + rng() % 2000), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    auto r = io::ReadOnnxFromBytes(bytes, "m.onnx", ".");
    ASSERT_FALSE(r.ok()) << "trial " << trial;
    EXPECT_EQ(r.status().message().rfind("m.onnx: ", 0), 0u) << r.status().message();
  }
}

TEST(OnnxReader, TruncatedAtEveryByte) {
  std::string bytes;
  ASSERT_TRUE(AddModel().SerializeToString(&bytes));
  ASSERT_TRUE(io::ReadOnnxFromBytes(bytes, "m.onnx", ".").ok());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = io::ReadOnnxFromBytes(std::string_view(bytes).substr(0, cut), "m.onnx", ".");
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status().ToString();
  }
}

// Byte flips in real models: the importer returns (ok or a Status) and
// never crashes, whatever field the flip lands in.
TEST(OnnxReader, MutatedBackendModels) {
  const char* models[] = {"node/test_conv_with_strides_padding", "node/test_reshape_reordered_all_dims",
                          "pytorch-converted/test_BatchNorm2d_eval", "node/test_slice_neg_steps"};
  std::mt19937 rng(42);
  for (const char* name : models) {
    std::ifstream f(std::string("/usr/share/libonnx-testdata/data/") + name + "/model.onnx",
                    std::ios::binary);
    ASSERT_TRUE(f) << name;
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ASSERT_TRUE(io::ReadOnnxFromBytes(bytes, "m.onnx", ".").ok()) << name;
    for (int trial = 0; trial < 300; ++trial) {
      std::string mutated = bytes;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < flips; ++i) mutated[rng() % mutated.size()] = static_cast<char>(rng());
      auto r = io::ReadOnnxFromBytes(mutated, "m.onnx", ".");
      if (!r.ok()) {
        EXPECT_EQ(r.status().message().rfind("m.onnx: ", 0), 0u) << r.status().message();
        EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status().ToString();
      }
    }
  }
}

TEST(OnnxReader, UnknownOp) {
  onnx::ModelProto m = AddModel();
  m.mutable_graph()->mutable_node(0)->set_op_type("FrobnicateV2");
  ExpectError(Read(m), StatusCode::kUnsupported, "unsupported ops: FrobnicateV2 (1 node: 'add')");
}

// Every missing op at once, subgraphs included, with counts and the first names.
TEST(OnnxReader, UnknownOpsAreListedTogether) {
  onnx::ModelProto m = AddModel();
  onnx::GraphProto* g = m.mutable_graph();
  g->mutable_node(0)->set_op_type("Frob");
  for (const char* name : {"f1", "f2", "f3", "f4"}) {
    onnx::NodeProto* n = g->add_node();
    *n = g->node(0);
    n->set_name(name);
  }
  onnx::NodeProto* loop = g->add_node();
  loop->set_op_type("Loopy");
  onnx::AttributeProto* body = loop->add_attribute();
  body->set_name("body");
  body->set_type(onnx::AttributeProto::GRAPH);
  onnx::NodeProto* inner = body->mutable_g()->add_node();
  inner->set_op_type("Blip");
  inner->set_name("inner");
  ExpectError(Read(m), StatusCode::kUnsupported,
              "unsupported ops: Blip (1 node: 'inner'), Frob (5 nodes: 'add', 'f1', 'f2', ...), "
              "Loopy (1 node: 'Loopy_5')");
}

TEST(OnnxReader, OtherDomain) {
  onnx::ModelProto m = AddModel();
  m.mutable_graph()->mutable_node(0)->set_domain("com.microsoft");
  ExpectError(Read(m), StatusCode::kUnsupported, "domain 'com.microsoft'");
}

TEST(OnnxReader, OpsetOutOfRange) {
  ExpectError(Read([] {
                onnx::ModelProto m = AddModel();
                m.mutable_opset_import(0)->set_version(3);
                return m;
              }()),
              StatusCode::kUnsupported, "opset 3");
  onnx::ModelProto none = AddModel();
  none.clear_opset_import();
  ExpectError(Read(none), StatusCode::kInvalidModel, "opset_import");
}

TEST(OnnxReader, UndefinedInput) {
  onnx::ModelProto m = AddModel();
  m.mutable_graph()->mutable_node(0)->set_input(1, "nowhere");
  ExpectError(Read(m), StatusCode::kInvalidModel, "input 'nowhere' is never defined");
}

TEST(OnnxReader, RawDataLengthMismatch) {
  onnx::ModelProto m = AddModel();
  m.mutable_graph()->mutable_initializer(0)->mutable_raw_data()->resize(20);
  ExpectError(Read(m), StatusCode::kInvalidModel, "raw_data has 20 bytes");
}

TEST(OnnxReader, NegativeDims) {
  onnx::ModelProto m = AddModel();
  m.mutable_graph()->mutable_initializer(0)->set_dims(0, -2);
  ExpectError(Read(m), StatusCode::kInvalidModel, "negative dim");
  onnx::ModelProto m2 = AddModel();
  m2.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(0)
      ->set_dim_value(-5);
  ExpectError(Read(m2), StatusCode::kInvalidModel, "negative dim");
}

TEST(OnnxReader, DimsOverflow) {
  onnx::ModelProto m = AddModel();
  auto* t = m.mutable_graph()->mutable_initializer(0);
  t->clear_dims();
  for (int i = 0; i < 4; ++i) t->add_dims(int64_t{1} << 20);  // 2^80 elements
  ExpectError(Read(m), StatusCode::kInvalidModel, "overflow");
  // Large but representable: over the tensor size limit, refused before allocating.
  t->clear_dims();
  t->add_dims(int64_t{1} << 40);
  ExpectError(Read(m), StatusCode::kInvalidModel, "limit");
}

TEST(OnnxReader, HugeDimsWithoutDataAreRefusedBeforeAllocating) {
  // 1 GiB claimed, no data: an error, not a 1 GiB zero-filled allocation.
  onnx::ModelProto m = AddModel();
  auto* t = m.mutable_graph()->mutable_initializer(0);
  t->clear_raw_data();
  t->clear_dims();
  t->add_dims(int64_t{1} << 28);
  ExpectError(Read(m), StatusCode::kInvalidModel, "has 0 values");
}

TEST(OnnxReader, GraphAttributeIsUnsupported) {
  onnx::ModelProto m = AddModel();
  auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
  a->set_name("body");
  a->set_type(onnx::AttributeProto::GRAPH);
  a->mutable_g()->set_name("sub");
  ExpectError(Read(m), StatusCode::kUnsupported, "attribute 'body'");
}

void MakeExternal(onnx::TensorProto* t, const std::string& location, int64_t offset, int64_t length) {
  t->clear_raw_data();
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const std::string& k, const std::string& v) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add("location", location);
  add("offset", std::to_string(offset));
  add("length", std::to_string(length));
}

TEST(OnnxReader, ExternalData) {
  TempDir dir;
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};
  {
    std::ofstream f(dir.model_dir() / "weights.bin", std::ios::binary);
    f.write("PAD!", 4);  // data starts at offset 4
    f.write(reinterpret_cast<const char*>(w.data()), 24);
  }
  onnx::ModelProto m = AddModel();
  MakeExternal(m.mutable_graph()->mutable_initializer(0), "weights.bin", 4, 24);
  auto r = Read(m, dir.model_dir().string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Tensor& t = *(*r)->value((*r)->nodes[0].inputs[1]).constant;
  EXPECT_EQ(t.data<float>()[0], 1.f);
  EXPECT_EQ(t.data<float>()[5], 6.f);

  // Escaping the model folder, absolute paths, missing files, short files.
  {
    std::ofstream f(dir.root() / "outside.bin", std::ios::binary);
    f.write(reinterpret_cast<const char*>(w.data()), 24);
  }
  MakeExternal(m.mutable_graph()->mutable_initializer(0), "../outside.bin", 0, 24);
  ExpectError(Read(m, dir.model_dir().string()), StatusCode::kInvalidModel, "escapes the model's folder");
  MakeExternal(m.mutable_graph()->mutable_initializer(0), (dir.root() / "outside.bin").string(), 0, 24);
  ExpectError(Read(m, dir.model_dir().string()), StatusCode::kInvalidModel, "absolute");
  MakeExternal(m.mutable_graph()->mutable_initializer(0), "missing.bin", 0, 24);
  ExpectError(Read(m, dir.model_dir().string()), StatusCode::kNotFound, "'missing.bin' not found");
  MakeExternal(m.mutable_graph()->mutable_initializer(0), "weights.bin", 8, 24);
  ExpectError(Read(m, dir.model_dir().string()), StatusCode::kInvalidModel, "too short");
  // Huge dims over a small file: refused from the file size, before allocating.
  m.mutable_graph()->mutable_initializer(0)->clear_dims();
  m.mutable_graph()->mutable_initializer(0)->add_dims(int64_t{1} << 28);
  MakeExternal(m.mutable_graph()->mutable_initializer(0), "weights.bin", 0, int64_t{4} << 28);
  ExpectError(Read(m, dir.model_dir().string()), StatusCode::kInvalidModel, "too short");
  m.mutable_graph()->mutable_initializer(0)->clear_dims();
  for (int64_t d : {2, 3}) m.mutable_graph()->mutable_initializer(0)->add_dims(d);
  // A symlink inside the folder pointing outside it.
  fs::create_symlink(dir.root() / "outside.bin", dir.model_dir() / "link.bin");
  MakeExternal(m.mutable_graph()->mutable_initializer(0), "link.bin", 0, 24);
  ExpectError(Read(m, dir.model_dir().string()), StatusCode::kInvalidModel, "outside the model's folder");
}

// One external range read by many initializers (tied weights may share
// bytes) counts once per tensor: together they may not pass the memory
// limit, refused from the declared sizes before any is read.
TEST(OnnxReader, ExternalDataReusedPastTheBudget) {
  TempDir dir;
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};
  {
    std::ofstream f(dir.model_dir() / "weights.bin", std::ios::binary);
    f.write(reinterpret_cast<const char*>(w.data()), 24);
  }
  testing::MemoryLimitGuard limit(100);  // four 24-byte tensors fit, five do not
  onnx::ModelProto m = AddModel();
  MakeExternal(m.mutable_graph()->mutable_initializer(0), "weights.bin", 0, 24);
  for (int k = 1; k < 4; ++k) {
    onnx::TensorProto* t = m.mutable_graph()->add_initializer();
    *t = m.graph().initializer(0);
    t->set_name("W" + std::to_string(k));
  }
  auto r = Read(m, dir.model_dir().string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  *m.mutable_graph()->add_initializer() = m.graph().initializer(1);
  m.mutable_graph()->mutable_initializer(4)->set_name("W4");
  ExpectError(Read(m, dir.model_dir().string()), StatusCode::kResourceExhausted,
              "initializer 'W4': 24 bytes on top of");
}

// A Q/DQ scale that is not a finite positive number is the model's error
// (InvalidModel naming node and tensor), not the data's found at run time.
TEST(OnnxReader, QdqScaleMustBeFinitePositive) {
  for (float bad : {std::nanf(""), INFINITY, 0.0f, -0.5f}) {
    onnx::ModelProto m = BaseModel();
    auto* g = m.mutable_graph();
    SetType(g->add_input(), "x", onnx::TensorProto::FLOAT, {1, 4});
    FloatInit(g->add_initializer(), "s", {}, {bad});
    AddNode(g, "QuantizeLinear", {"x", "s"}, {"q"}, "q1");
    AddNode(g, "DequantizeLinear", {"q", "s"}, {"y"}, "dq1");
    SetType(g->add_output(), "y", onnx::TensorProto::FLOAT, {1, 4});
    ExpectError(Read(m), StatusCode::kInvalidModel, "node 'q1' (QuantizeLinear): y_scale is ");
    FloatInit(g->mutable_initializer(0), "s", {}, {0.5f});
    g->mutable_initializer(0)->clear_dims();
    EXPECT_TRUE(Read(m).ok());
  }
}

TEST(OnnxReader, TwoProducersOfOneValue) {
  onnx::ModelProto m = AddModel();
  AddNode(m.mutable_graph(), "Relu", {"X"}, {"Y"});
  ExpectError(Read(m), StatusCode::kInvalidModel, "'Y' is defined more than once");
}

TEST(OnnxReader, MissingGraphOutput) {
  onnx::ModelProto m = AddModel();
  m.mutable_graph()->mutable_output(0)->set_name("nope");
  ExpectError(Read(m), StatusCode::kInvalidModel, "graph output 'nope' is never produced");
}

TEST(OnnxReader, TensorFile) {
  TempDir dir;
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(3);
  for (int64_t v : {5, -6, 7}) t.add_int64_data(v);
  const std::string path = (dir.model_dir() / "input_0.pb").string();
  {
    std::ofstream f(path, std::ios::binary);
    ASSERT_TRUE(t.SerializeToOstream(&f));
  }
  auto r = io::ReadOnnxTensorFile(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dtype(), DataType::kInt64);
  EXPECT_EQ(r->data<int64_t>()[1], -6);
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write("\x0a\xff\xff", 3);  // a length-delimited field longer than the file
  }
  auto bad = io::ReadOnnxTensorFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(bad.status().message().find(path), std::string::npos);
  auto missing = io::ReadOnnxTensorFile(path + ".nope");
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace qforge
