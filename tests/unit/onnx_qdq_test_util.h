// Helpers of the QDQ ONNX tests (onnx_qdq_export_test.cc,
// onnx_qdq_import_test.cc, quantizer_ort_roundtrip_test.cc): build quantized
// graphs by hand, write them, check them with onnx.checker, run them in ONNX
// Runtime (tests/unit/ort_qdq_run.js) and in qforge's reference runtime, and
// compare graphs read back with the ones written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/tensor.h"

namespace qforge::onnx_qdq_test {

// Hand-built graphs requantize in fixed point (QUANT_SPEC 3), ONNX Runtime in
// float: QUANT_SPEC allows one step between them.
constexpr int64_t kMaxSteps = 1;
// Whole networks read from ONNX run with ONNX's float requantization rule
// (ir::Requantization::kFloat), as ONNX Runtime does: measured 0 steps apart;
// one step of slack for float evaluation order.
constexpr int64_t kNetworkSteps = 1;
// Hybrid ops: both sides quantize x the same way (DynamicQuantizeLinear) and
// accumulate exactly in int32; only the float scaling may round differently.
constexpr double kHybridTolerance = 1e-5;

// A fresh folder under the system's temporary folder, removed on
// destruction.
class TempDir {
 public:
  TempDir();
  // QF_KEEP_QDQ_FILES=1 keeps the written and optimized models for debugging.
  ~TempDir();
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

QuantParams PerTensor(float scale, int64_t zero_point);
// Symmetric (zero points 0) per-channel parameters along `axis`.
QuantParams PerAxis(std::vector<float> scales, int axis);
ir::TensorType QType(DataType dtype, std::vector<int64_t> dims, QuantParams q = {});
// Adds constant `t` with quantization parameters `q` to `g`.
ir::ValueId AddQConst(ir::Graph* g, const std::string& name, Tensor t, QuantParams q = {});
void AddOp(ir::Graph* g, OpKind op, const std::string& name, std::vector<ir::ValueId> ins,
           std::vector<ir::ValueId> outs, ir::Attributes attrs = {});
// Uniform random integers in [lo, hi] / floats in [lo, hi), seeded.
Tensor RandomInts(DataType dtype, std::vector<int64_t> dims, int lo, int hi, unsigned seed);
Tensor RandomFloats(std::vector<int64_t> dims, float lo, float hi, unsigned seed);

// Exit status of onnx.checker.check_model(full_check=True) on `path`.
int OnnxCheck(const std::string& path);

struct OrtRun {
  bool ok = false;
  std::vector<Tensor> outputs;
  std::multiset<std::string> optimized_ops;  // op types of ORT's optimized graph
};

// qdq_int8: ORT keeps int8 QDQ groups int8 (session.qdqisint8allowed).
// Otherwise, on CPUs without VNNI, ORT runs with session.x64quantprecision:
// its uint8 x int8 kernels saturate there (vpmaddubsw sums two products in
// int16; here up to 90 steps off in ConvReluMaxPoolInt8Mode) and the option
// swaps in its exact uint8 x uint8 ones, same op types
// (tools/ort/ort_precision.js).
OrtRun RunOrt(const std::string& model, const std::vector<Tensor>& inputs, size_t num_outputs,
              const TempDir& dir, bool qdq_int8 = false);

std::vector<Tensor> RunQforge(const ir::Graph& g, const std::vector<Tensor>& inputs);

// Max |a - b| in integer steps (-1 if dtype or dims differ).
int64_t MaxStepDiff(const Tensor& a, const Tensor& b);

// "" when the graphs are the same integer graph: same nodes in order (op,
// name, attributes) and, position by position, the same value names,
// dtypes, quantization parameters and constant bytes. Otherwise the first
// difference.
std::string DiffGraphs(const ir::Graph& a, const ir::Graph& b);

// Writes `g`, checks it with onnx.checker, runs it in ORT (optimized),
// compares with qforge's runtime, and reads it back.
struct Exported {
  std::string path;
  OrtRun ort;
  std::vector<Tensor> qforge;
  std::unique_ptr<ir::Graph> back;
};

Exported ExportAndRun(const ir::Graph& g, const std::vector<Tensor>& inputs, const TempDir& dir,
                      const std::string& name, bool qdq_int8 = false);

}  // namespace qforge::onnx_qdq_test
