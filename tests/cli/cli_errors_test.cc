// Bad input through the CLI: each case must give a one-line error naming
// the file (and node or input where there is one), the documented exit code,
// and never a crash (the suite also runs under ASan+UBSan).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

// Asserts a clean failure: expected code, exactly one line on stderr that
// contains `needle`, nothing that looks like a crash.
void ExpectCleanError(const CliResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_EQ(Lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
}

TEST(CliErrors, HelpListsCommands) {
  CliResult r = RunCli("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"inspect", "run", "eval", "convert"})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
}

TEST(CliErrors, UnknownFlagIsUsageError) {
  CliResult r = RunCli("inspect --no-such-flag " + kModel);
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliErrors, MissingModelFile) {
  CliResult r = RunCli("inspect /nonexistent/model.onnx");
  ExpectCleanError(r, 5, "/nonexistent/model.onnx");
}

TEST(CliErrors, EmptyModelFile) {
  std::string dir = TempDir("empty_model");
  WriteBytes(dir + "/empty.onnx", "");
  ExpectCleanError(RunCli("inspect " + dir + "/empty.onnx"), 3, "empty.onnx");
}

TEST(CliErrors, TruncatedModelFiles) {
  std::string dir = TempDir("truncated_model");
  const std::string bytes = ReadBytes(kModel);
  ASSERT_GT(bytes.size(), 1000u);
  for (size_t cut : {size_t{7}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 5}) {
    WriteBytes(dir + "/cut.onnx", bytes.substr(0, cut));
    CliResult r = RunCli("inspect " + dir + "/cut.onnx");
    SCOPED_TRACE("cut at " + std::to_string(cut));
    ExpectCleanError(r, 3, "cut.onnx");
  }
}

TEST(CliErrors, CorruptModelFile) {
  std::string dir = TempDir("corrupt_model");
  std::string bytes = ReadBytes(kModel);
  uint32_t seed = 7;
  for (int trial = 0; trial < 5; ++trial) {
    std::string corrupt = bytes;
    for (int k = 0; k < 40; ++k) {
      seed = seed * 1103515245u + 12345u;
      corrupt[(seed >> 8) % corrupt.size()] = static_cast<char>(seed >> 24);
    }
    WriteBytes(dir + "/corrupt.onnx", corrupt);
    CliResult r = RunCli("run " + dir + "/corrupt.onnx --input " + dir + "/none.npy");
    SCOPED_TRACE("trial " + std::to_string(trial));
    // Corruption may hit an op, a dtype, a shape or a reference: any clean
    // error code is right, a crash (>= 128) or success is not.
    EXPECT_TRUE(r.exit_code >= 2 && r.exit_code <= 6) << r.exit_code << " " << r.err;
    EXPECT_EQ(Lines(r.err), 1) << r.err;
  }
}

TEST(CliErrors, UnknownOpNamesNodeAndOpType) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("g");
  auto add_io = [](onnx::ValueInfoProto* v, const char* name) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(4);
  };
  add_io(g->add_input(), "x");
  add_io(g->add_output(), "y");
  onnx::NodeProto* n = g->add_node();
  n->set_name("mystery_node");
  n->set_op_type("FrobnicateV9");
  n->add_input("x");
  n->add_output("y");
  std::string dir = TempDir("unknown_op");
  WriteBytes(dir + "/unknown.onnx", m.SerializeAsString());
  CliResult r = RunCli("inspect " + dir + "/unknown.onnx");
  ExpectCleanError(r, 4, "mystery_node");
  EXPECT_NE(r.err.find("FrobnicateV9"), std::string::npos) << r.err;
}

TEST(CliErrors, MismatchedInputShapeNamesInput) {
  std::string dir = TempDir("bad_shape");
  // A valid .npy of float32 [1, 1, 27, 28]: header written by hand.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 27, 28), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy += static_cast<char>(header.size() & 0xff);
  npy += static_cast<char>(header.size() >> 8);
  npy += header + std::string(27 * 28 * 4, '\0');
  WriteBytes(dir + "/x.npy", npy);
  CliResult r = RunCli("run " + kModel + " --input " + dir + "/x.npy --output " + dir + "/y.npy");
  ExpectCleanError(r, 2, "input");
  EXPECT_NE(r.err.find("27"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/y.npy"));
}

TEST(CliErrors, RawDataOfWrongSize) {
  std::string dir = TempDir("bad_raw");
  WriteBytes(dir + "/x.raw", std::string(28 * 28 * 4 + 3, '\0'));
  CliResult r =
      RunCli("run " + kModel + " --input " + dir + "/x.raw --shape 1 28 28 --output " + dir + "/y.npy");
  ExpectCleanError(r, 2, "x.raw");
  EXPECT_FALSE(std::filesystem::exists(dir + "/y.npy"));
}

TEST(CliErrors, RefusesToOverwriteInput) {
  std::string dir = TempDir("overwrite");
  const std::string images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  std::filesystem::copy_file(kModel, dir + "/m.onnx");
  CliResult r = RunCli("run " + dir + "/m.onnx --input " + images + " --output " + dir + "/m.onnx");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(ReadBytes(dir + "/m.onnx"), ReadBytes(kModel));
}

TEST(CliErrors, LabelsShorterThanData) {
  std::string dir = TempDir("few_labels");
  // IDX label file with 3 labels, but the image file has 10,000 samples.
  std::string idx = std::string("\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03", 11);
  WriteBytes(dir + "/labels.idx", idx);
  CliResult r = RunCli("eval " + kModel +
                       " --data /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz --labels " + dir +
                       "/labels.idx");
  ExpectCleanError(r, 2, "labels.idx");
}

}  // namespace
}  // namespace qforge::testing
