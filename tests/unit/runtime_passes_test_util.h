// Helpers of the tests of the runtime graph passes (passes_layout_nhwc_test,
// passes_int8_activations_test): the bundled Fashion-MNIST models in float
// and quantized form, small graphs built in code, and a bit-exact comparison
// of a graph before and after a pass on the reference interpreter.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "ir/graph.h"
#include "passes/infer_types.h"
#include "passes/pipelines.h"
#include "qforge/model.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge::runtime_passes_test {

// Calibration images: enough for ranges that exercise clamps on both sides,
// few enough to keep each test file well under its 10 s budget.
constexpr int kCalibrationImages = 16;

// models/<name>.onnx prepared for quantization (BN folded, activations fused).
inline std::shared_ptr<ir::Graph> PreparedModel(const std::string& name) {
  Result<Model> m = Model::Load(testing::SourcePath("models/" + name + ".onnx"));
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return nullptr;
  auto g = std::make_shared<ir::Graph>(m->graph());
  const Status s = passes::PrepareForQuantization(g.get());
  EXPECT_TRUE(s.ok()) << s.message();
  return g;
}

inline std::map<std::string, quant::ValueRange> CalibratedRanges(std::shared_ptr<const ir::Graph> g) {
  io::DataSpec spec;
  spec.path = testing::SourcePath("models/calib/fashion_train100.npy");
  auto ds = io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32);
  EXPECT_TRUE(ds.ok());
  if (!ds.ok()) return {};
  quant::CalibrateOptions co;
  co.count = kCalibrationImages;
  Result<quant::CalibrationStats> stats = quant::Calibrate(g, **ds, co);
  EXPECT_TRUE(stats.ok()) << stats.status().message();
  if (!stats.ok()) return {};
  auto ranges = quant::ComputeRanges(*stats, {});
  EXPECT_TRUE(ranges.ok());
  std::map<std::string, quant::ValueRange> out;
  if (ranges.ok()) {
    for (const auto& [name, r] : *ranges) out[name] = {r.min, r.max};
  }
  return out;
}

// `g` quantized with the given ranges, activation type and mode.
inline ir::Graph Quantized(const ir::Graph& g, const std::map<std::string, quant::ValueRange>& ranges,
                           DataType activations, quant::QuantMode mode = quant::QuantMode::kInt8,
                           DataType io = DataType::kInt8) {
  quant::QuantizeOptions opt;
  opt.mode = mode;
  opt.activation_type = activations;
  opt.io_type = io;
  opt.ranges = ranges;
  Result<ir::Graph> q = quant::QuantizeGraph(g, opt, nullptr);
  EXPECT_TRUE(q.ok()) << q.status().message();
  return q.ok() ? std::move(q).value() : ir::Graph();
}

// Random inputs for every graph input (dynamic dims = 2): float in [-0.5,
// 1.5] (images are [0, 1]; beyond it clamps are exercised), integers over
// their whole range.
inline std::vector<Tensor> RandomInputs(const ir::Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Tensor> inputs;
  for (ir::ValueId id : g.inputs) {
    const ir::TensorType& t = g.value(id).type;
    std::vector<int64_t> dims = t.dims;
    for (int64_t& d : dims) d = d < 0 ? 2 : d;
    Tensor x(t.dtype, dims);
    if (t.dtype == DataType::kFloat32) {
      std::uniform_real_distribution<float> dist(-0.5f, 1.5f);
      for (float& v : x.span<float>()) v = dist(rng);
    } else {
      std::uniform_int_distribution<int> dist(0, 255);
      auto* p = static_cast<uint8_t*>(x.raw_data());
      for (size_t i = 0; i < x.byte_size(); ++i) p[i] = static_cast<uint8_t>(dist(rng));
    }
    x.set_quant(t.quant);
    inputs.push_back(std::move(x));
  }
  return inputs;
}

inline Result<std::vector<Tensor>> RunGraph(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  return interp.Run(inputs);
}

// Both graphs on the same inputs: every output has the same dtype, dims and
// bytes (the passes change where data lives, never a value).
inline void ExpectBitExact(const ir::Graph& before, const ir::Graph& after,
                           const std::vector<Tensor>& inputs) {
  auto want = RunGraph(before, inputs);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto got = RunGraph(after, inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), want->size());
  for (size_t i = 0; i < got->size(); ++i) {
    const Tensor& a = (*got)[i];
    const Tensor& b = (*want)[i];
    ASSERT_EQ(a.dtype(), b.dtype()) << "output " << i;
    ASSERT_EQ(a.dims(), b.dims()) << "output " << i;
    EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()), 0)
        << "output " << i << " (" << after.value(after.outputs[i]).name << ") differs";
  }
}

inline int CountOps(const ir::Graph& g, OpKind op) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += !node.removed && node.op == op;
  return n;
}

// Builds small float graphs: values get their types from passes::InferTypes.
class GraphBuilder {
 public:
  explicit GraphBuilder(uint32_t seed) : rng_(seed) {}

  ir::ValueId Input(const std::string& name, std::vector<int64_t> dims) {
    ir::TensorType t;
    t.dtype = DataType::kFloat32;
    t.rank_known = true;
    t.dims = std::move(dims);
    t.layout = ir::Layout::kNCHW;
    const ir::ValueId id = g_.AddValue(name, t);
    g_.inputs.push_back(id);
    return id;
  }

  // Random float32 constant in [-0.5, 0.5].
  ir::ValueId Weight(const std::string& name, std::vector<int64_t> dims) {
    Tensor t(DataType::kFloat32, std::move(dims));
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    for (float& v : t.span<float>()) v = dist(rng_);
    return g_.AddConstant(name, std::move(t));
  }

  ir::ValueId Constant(const std::string& name, Tensor t) { return g_.AddConstant(name, std::move(t)); }

  ir::ValueId Ints(const std::string& name, const std::vector<int64_t>& values) {
    Tensor t(DataType::kInt64, {static_cast<int64_t>(values.size())});
    for (size_t i = 0; i < values.size(); ++i) t.data<int64_t>()[i] = values[i];
    return g_.AddConstant(name, std::move(t));
  }

  ir::ValueId Op(OpKind op, const std::string& name, std::vector<ir::ValueId> inputs,
                 ir::Attributes attrs = {}) {
    ir::Node n;
    n.name = name;
    n.op = op;
    n.inputs = std::move(inputs);
    n.attrs = std::move(attrs);
    const ir::ValueId out = g_.AddValue(name + "_out");
    n.outputs = {out};
    g_.AddNode(std::move(n));
    return out;
  }

  ir::Graph Finish(std::vector<ir::ValueId> outputs) {
    g_.outputs = std::move(outputs);
    Status s = g_.TopologicalSort();
    if (s.ok()) s = passes::InferTypes(&g_);
    EXPECT_TRUE(s.ok()) << s.message();
    return g_;
  }

 private:
  ir::Graph g_;
  std::mt19937 rng_;
};

// Ranges for every float value of `g` (the quantizer needs one per
// activation): wide enough that nothing saturates much, [-lo, hi].
inline std::map<std::string, quant::ValueRange> UniformRanges(const ir::Graph& g, float lo, float hi) {
  std::map<std::string, quant::ValueRange> r;
  for (const ir::Value& v : g.values) {
    if (!v.is_constant()) r[v.name] = {lo, hi};
  }
  return r;
}

}  // namespace qforge::runtime_passes_test
