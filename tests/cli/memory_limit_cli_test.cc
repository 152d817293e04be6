// --memory-limit and the memory budget as a user meets them: tiny ONNX files
// that ask for huge tensors or for many tensors each under the limit fail
// with exit 7 and one line naming file and node; the flag lowers and raises
// the limit on every command.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");

// A model of `count` ConstantOfShape nodes "c0".. of float32 `dims`, each a
// graph output, written under a test dir; its path.
std::string ConstantOfShapeModel(const std::string& test, const std::vector<int64_t>& dims, int count) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("g");
  onnx::TensorProto* shape = g->add_initializer();
  shape->set_name("shape");
  shape->set_data_type(onnx::TensorProto::INT64);
  shape->add_dims(static_cast<int64_t>(dims.size()));
  for (int64_t d : dims) shape->add_int64_data(d);
  for (int i = 0; i < count; ++i) {
    const std::string name = "c" + std::to_string(i);
    onnx::NodeProto* n = g->add_node();
    n->set_name(name);
    n->set_op_type("ConstantOfShape");
    n->add_input("shape");
    n->add_output(name);
    onnx::ValueInfoProto* out = g->add_output();
    out->set_name(name);
    out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  const std::string path = TempDir(test) + "/m.onnx";
  std::ofstream f(path, std::ios::binary);
  f << m.SerializeAsString();
  return path;
}

void ExpectOverLimit(const CliResult& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--memory-limit"), std::string::npos) << r.err;
}

// [2^31, 2^31] float32 is 2^64 bytes, 0 after a wrapping product: inspect
// evaluated it at prepare time into a 64-byte buffer.
TEST(MemoryLimitCli, ConstantOfShapeWhoseBytesWrapIsExit7) {
  const int64_t big = int64_t{1} << 31;
  const std::string model = ConstantOfShapeModel("mem_wrap", {big, big}, 1);
  ExpectOverLimit(RunCli("inspect " + model), model + ": node 'c0' (ConstantOfShape): output 0: float32[");
}

// Three 4 MiB tensors, each under a 10 MiB limit, 12 MiB together.
TEST(MemoryLimitCli, ManyTensorsUnderTheLimitSumOverIt) {
  const std::string model = ConstantOfShapeModel("mem_sum", {int64_t{1} << 20}, 3);
  for (const char* cmd : {"inspect ", "bench "}) {
    ExpectOverLimit(RunCli(cmd + model + " --memory-limit 10M"), model + ": ");
  }
  EXPECT_EQ(RunCli("inspect " + model + " --memory-limit 13M").exit_code, 0);
}

TEST(MemoryLimitCli, FlagLowersAndRaisesTheLimit) {
  // cnn.onnx holds 420 KB of weights.
  ExpectOverLimit(RunCli("inspect " + kModel + " --memory-limit 100K"), kModel + ": ");
  for (const char* limit : {"", " --memory-limit 1M", " --memory-limit 8G", " --memory-limit 5000000"}) {
    CliResult r = RunCli("inspect " + kModel + limit);
    EXPECT_EQ(r.exit_code, 0) << limit << ": " << r.err;
  }
}

// A declared input of [2^31, 2^31] float32: bench allocated it (a wrapped
// 64-byte buffer) and filled it with random values.
TEST(MemoryLimitCli, HugeDeclaredInputIsExit7) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("g");
  auto declare = [](onnx::ValueInfoProto* v, const char* name) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int i = 0; i < 2; ++i) tt->mutable_shape()->add_dim()->set_dim_value(int64_t{1} << 31);
  };
  declare(g->add_input(), "x");
  declare(g->add_output(), "y");
  onnx::NodeProto* n = g->add_node();
  n->set_name("r");
  n->set_op_type("Relu");
  n->add_input("x");
  n->add_output("y");
  const std::string path = TempDir("mem_input") + "/m.onnx";
  {
    std::ofstream f(path, std::ios::binary);
    f << m.SerializeAsString();
  }
  ExpectOverLimit(RunCli("bench " + path + " --runs 1 --warmup 0"), path + ": input 'x'");
  ExpectOverLimit(RunCli("inspect " + path), path + ": input 'x'");
}

TEST(MemoryLimitCli, BadSizeIsAUsageError) {
  for (const char* limit : {"0", "12X", "-5", "lots"}) {
    CliResult r = RunCli("inspect " + kModel + " --memory-limit " + limit);
    EXPECT_EQ(r.exit_code, 2) << limit << ": " << r.err;
  }
}

}  // namespace
}  // namespace qforge::testing
