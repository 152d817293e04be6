// `qforge bench` as a user runs it: it prints the input it made up, the
// thread count, latency statistics, memory (peak resident against the
// model's weights + arena) and a final machine-readable line; bad
// flags and shapes fail with the usage exit code. No assertion here depends
// on how fast the machine is (benchmarks never run as timed tests).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kCalib = SourcePath("models/calib/fashion_train100.npy");

// The key=value fields of the `bench_result` line, which must be the last line.
std::map<std::string, std::string> ResultFields(const std::string& out) {
  std::map<std::string, std::string> fields;
  const size_t at = out.rfind("bench_result ");
  if (at == std::string::npos || out.find('\n', at) != out.size() - 1) return fields;
  std::istringstream line(out.substr(at + 13));
  std::string kv;
  while (line >> kv) {
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) fields[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return fields;
}

double Number(const std::map<std::string, std::string>& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? -1.0 : std::stod(it->second);
}

void ExpectUsageError(const std::string& args, const std::string& needle) {
  CliResult r = RunCli(args);
  SCOPED_TRACE(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(r.out.find("bench_result"), std::string::npos) << r.out;
}

TEST(BenchCli, PrintsLatencyThroughputAndResultLine) {
  CliResult r = RunCli("bench " + kModel + " --runs 3 --warmup 1 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input: input float32[1, 1, 28, 28] (random uniform [0, 1))"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("threads: 2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency at batch 1 (1 warm-up, 3 timed runs): median "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("throughput at batch 8 (3 timed runs): "), std::string::npos) << r.out;
  const auto f = ResultFields(r.out);
  ASSERT_FALSE(f.empty()) << "no final bench_result line:\n" << r.out;
  EXPECT_EQ(f.at("runtime"), "qforge");
  EXPECT_EQ(f.at("model"), kModel);
  EXPECT_EQ(f.at("runs"), "3");
  EXPECT_EQ(f.at("threads"), "2");
  // Order relations that hold by definition of the statistics, whatever the timings.
  EXPECT_GT(Number(f, "min_ms"), 0.0);
  EXPECT_LE(Number(f, "min_ms"), Number(f, "median_ms"));
  EXPECT_LE(Number(f, "median_ms"), Number(f, "p90_ms"));
  EXPECT_GT(Number(f, "batch8_ips"), 0.0);
  // The process holds at least the model's weights (423 KB of float weights).
  EXPECT_GT(Number(f, "peak_rss_mb"), 0.4);
  EXPECT_GT(Number(f, "arena_bytes"), 0.0);
  EXPECT_NE(r.out.find("memory: peak resident "), std::string::npos) << r.out;
}

// The memory fields: cnn.onnx's constants are its 105,866 float parameters
// (conv and fully connected weights and biases), nothing else; the ratio is
// the peak over weights + arena; start <= load peak <= overall peak.
TEST(BenchCli, MemoryFieldsAreConsistent) {
  CliResult r = RunCli("bench " + kModel + " --runs 2 --warmup 0 --batch 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto f = ResultFields(r.out);
  ASSERT_FALSE(f.empty()) << r.out;
  EXPECT_EQ(f.at("weight_bytes"), "423464");
  const double peak_mb = Number(f, "peak_rss_mb"), arena = Number(f, "arena_bytes");
  const double ratio = Number(f, "rss_ratio");
  EXPECT_NEAR(ratio, peak_mb * 1024 * 1024 / (423464 + arena), 0.01 * ratio + 0.01) << r.out;
  EXPECT_GT(Number(f, "start_rss_mb"), 0.0);
  EXPECT_LE(Number(f, "start_rss_mb"), Number(f, "load_peak_rss_mb"));
  EXPECT_LE(Number(f, "load_peak_rss_mb"), peak_mb);
  // The batch-4 plan holds at least the largest activation, 4 x 16 x 28 x 28 floats.
  EXPECT_GE(arena, 4.0 * 16 * 28 * 28 * 4);
  EXPECT_NE(r.out.find("  weights 423464 bytes (the loaded graph's constant tensors), activation arena "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(largest plan, batch 4)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rss_ratio "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MiB at start, before loading the model"), std::string::npos) << r.out;
}

TEST(BenchCli, BatchFlagSetsOrSkipsTheThroughputRun) {
  CliResult r = RunCli("bench " + kModel + " --runs 2 --warmup 0 --batch 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("throughput at batch 3"), std::string::npos) << r.out;
  EXPECT_GT(Number(ResultFields(r.out), "batch3_ips"), 0.0) << r.out;

  r = RunCli("bench " + kModel + " --runs 2 --batch 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("throughput"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("_ips="), std::string::npos) << r.out;
  EXPECT_GT(Number(ResultFields(r.out), "median_ms"), 0.0) << r.out;
}

TEST(BenchCli, QuantizedInputsGetRandomCodes) {
  const std::string dir = TempDir("bench_int8_only");
  const std::string model = dir + "/cnn_int8_only.onnx";
  CliResult q = RunCli("quantize " + kModel + " -o " + model + " --mode int8-only --calib " + kCalib);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  CliResult r = RunCli("bench " + model + " --runs 2 --warmup 1 --batch 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input: input int8[1, 1, 28, 28] (random codes, quantized input)"), std::string::npos)
      << r.out;
  EXPECT_GT(Number(ResultFields(r.out), "batch2_ips"), 0.0) << r.out;
}

TEST(BenchCli, RunsATfliteModelWithItsNhwcInput) {
  const std::string dir = TempDir("bench_tflite");
  const std::string model = dir + "/cnn_int8_only.tflite";
  CliResult q = RunCli("quantize " + kModel + " -o " + model + " --mode int8-only --calib " + kCalib);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  CliResult r = RunCli("bench " + model + " --runs 2 --warmup 0 --batch 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input: input int8[1, 28, 28, 1] (random codes, quantized input)"), std::string::npos)
      << r.out;
  const auto f = ResultFields(r.out);
  ASSERT_FALSE(f.empty()) << r.out;
  EXPECT_EQ(f.at("model"), model);
  EXPECT_GT(Number(f, "median_ms"), 0.0);
  // int8 weights (105,744 of the float model's parameters) and int32 biases
  // (122), plus the importer's few scalar constants: about a quarter of the float bytes.
  EXPECT_GT(Number(f, "weight_bytes"), 105744 + 122 * 4 - 1);
  EXPECT_LT(Number(f, "weight_bytes"), 105744 + 122 * 4 + 256);
  EXPECT_GT(Number(f, "rss_ratio"), 0.0);
}

// cnn.onnx with its input's dim `d` made fixed (value > 0) or symbolic (name), saved under a test dir.
std::string CnnWithInputDim(const std::string& test, int d, int64_t value, const std::string& name) {
  onnx::ModelProto proto;
  std::ifstream in(kModel, std::ios::binary);
  EXPECT_TRUE(proto.ParseFromIstream(&in));
  auto* dim = proto.mutable_graph()
                  ->mutable_input(0)
                  ->mutable_type()
                  ->mutable_tensor_type()
                  ->mutable_shape()
                  ->mutable_dim(d);
  if (value > 0) {
    dim->set_dim_value(value);
  } else {
    dim->set_dim_param(name);
  }
  const std::string path = TempDir(test) + "/cnn.onnx";
  std::ofstream out(path, std::ios::binary);
  EXPECT_TRUE(proto.SerializeToOstream(&out));
  return path;
}

TEST(BenchCli, FixedBatchDimSaysThroughputIsNotMeasured) {
  const std::string model = CnnWithInputDim("bench_fixed_batch", 0, 1, "");
  CliResult r = RunCli("bench " + model + " --runs 2 --warmup 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("throughput at batch 8: not measured (input 'input' has no dynamic batch dim)"),
            std::string::npos)
      << r.out;
  const auto f = ResultFields(r.out);
  ASSERT_FALSE(f.empty()) << r.out;
  EXPECT_EQ(f.at("batch8_ips"), "na");
}

TEST(BenchCli, DynamicNonBatchDimNeedsInputShape) {
  const std::string model = CnnWithInputDim("bench_dynamic_height", 2, 0, "height");
  ExpectUsageError("bench " + model + " --runs 1",
                   "input 'input' has dynamic dim 2 (height): pass --input-shape");
  CliResult r = RunCli("bench " + model + " --runs 1 --batch 2 --input-shape 1,1,28,28");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input: input float32[1, 1, 28, 28]"), std::string::npos) << r.out;
  EXPECT_GT(Number(ResultFields(r.out), "batch2_ips"), 0.0) << r.out;
}

TEST(BenchCli, InputShapeFlag) {
  CliResult r = RunCli("bench " + kModel + " --runs 1 --batch 2 --input-shape 4x1x28x28");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input: input float32[4, 1, 28, 28]"), std::string::npos) << r.out;
  EXPECT_GT(Number(ResultFields(r.out), "batch2_ips"), 0.0) << r.out;

  ExpectUsageError("bench " + kModel + " --input-shape 1,1,28", "rank 4, not 3");
  ExpectUsageError("bench " + kModel + " --input-shape 1,2,28,28", "dim 1 is fixed at 1");
  ExpectUsageError("bench " + kModel + " --input-shape 1,a,28,28", "positive integers");
  ExpectUsageError("bench " + kModel + " --input-shape 1,0,28,28", "positive integers");
  ExpectUsageError("bench " + kModel + " --input-shape 1,1,28,28 --input-shape 1,1,28,28",
                   "got 2 --input-shape");
}

TEST(BenchCli, BadFlagsAreUsageErrors) {
  ExpectUsageError("bench " + kModel + " --runs 0", "--runs");
  ExpectUsageError("bench " + kModel + " --runs abc", "--runs");
  ExpectUsageError("bench " + kModel + " --threads 0", "--threads");
  ExpectUsageError("bench " + kModel + " --warmup -1", "--warmup");
  ExpectUsageError("bench " + kModel + " --batch -2", "--batch");
  ExpectUsageError("bench --runs 3", "model");
  CliResult r = RunCli("bench /nonexistent/model.onnx --runs 1");
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/model.onnx"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace qforge::testing
