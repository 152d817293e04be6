// Helpers shared by the TFLite writer tests: bundled and layout test models,
// quantized in each mode, serialized and decoded with the generated API.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "io/tflite/write/tflite_writer.h"
#include "passes/pipelines.h"
#include "qforge/model.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "test_util.h"
#include "tflite_schema_generated.h"

namespace qforge::tflite_writer_test {

// models/<name>.onnx or tests/models/data/tflite/<name>.onnx.
inline std::shared_ptr<ir::Graph> LoadOnnx(const std::string& rel_path) {
  Result<Model> m = Model::Load(testing::SourcePath(rel_path));
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return nullptr;
  return std::make_shared<ir::Graph>(m->graph());
}

inline std::shared_ptr<ir::Graph> Bundled(const std::string& name) {
  return LoadOnnx("models/" + name + ".onnx");
}
inline std::shared_ptr<ir::Graph> LayoutModel(const std::string& name) {
  return LoadOnnx("tests/models/data/tflite/" + name + ".onnx");
}

// Ranges from 16 Fashion-MNIST training images (NCHW float x/255).
inline std::map<std::string, quant::ValueRange> Calibrated(std::shared_ptr<const ir::Graph> g) {
  std::map<std::string, quant::ValueRange> out;
  io::DataSpec spec;
  spec.path = testing::SourcePath("models/calib/fashion_train100.npy");
  auto ds = io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32);
  EXPECT_TRUE(ds.ok()) << ds.status().message();
  if (!ds.ok()) return out;
  quant::CalibrateOptions co;
  co.count = 16;
  Result<quant::CalibrationStats> stats = quant::Calibrate(g, **ds, co);
  EXPECT_TRUE(stats.ok()) << stats.status().message();
  if (!stats.ok()) return out;
  auto ranges = quant::ComputeRanges(*stats, {});
  EXPECT_TRUE(ranges.ok());
  if (!ranges.ok()) return out;
  for (const auto& [name, r] : *ranges) out[name] = {r.min, r.max};
  return out;
}

// A bundled model prepared and quantized in `mode` (int8 modes calibrated on
// 16 training images).
inline Result<ir::Graph> Quantized(const std::string& name, quant::QuantMode mode,
                                   quant::QuantizeOptions opt = {}) {
  auto g = Bundled(name);
  if (!g) return InvalidArgument("cannot load " + name);
  QF_RETURN_IF_ERROR(passes::PrepareForQuantization(g.get()));
  opt.mode = mode;
  if (quant::NeedsCalibration(mode)) opt.ranges = Calibrated(g);
  return quant::QuantizeGraph(*g, opt, nullptr);
}

// Serializes and checks the flatbuffer (identifier, verifier).
inline std::string Serialize(const ir::Graph& g) {
  Result<std::string> bytes = io::SerializeTflite(g);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return {};
  EXPECT_GE(bytes->size(), 8u);
  EXPECT_EQ(bytes->substr(4, 4), "TFL3");
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  EXPECT_TRUE(tflite::VerifyModelBuffer(v));
  return *bytes;
}

inline std::unique_ptr<tflite::ModelT> Unpack(const std::string& bytes) {
  if (bytes.empty()) return std::make_unique<tflite::ModelT>();
  return std::unique_ptr<tflite::ModelT>(tflite::GetModel(bytes.data())->UnPack());
}

inline tflite::BuiltinOperator OpOf(const tflite::ModelT& m, const tflite::OperatorT& op) {
  return m.operator_codes[op.opcode_index]->builtin_code;
}

inline int CountOps(const tflite::ModelT& m, tflite::BuiltinOperator code) {
  int n = 0;
  for (const auto& op : m.subgraphs[0]->operators) n += OpOf(m, *op) == code;
  return n;
}

inline const tflite::OperatorT* FirstOp(const tflite::ModelT& m, tflite::BuiltinOperator code, int skip = 0) {
  for (const auto& op : m.subgraphs[0]->operators) {
    if (OpOf(m, *op) == code && skip-- == 0) return op.get();
  }
  return nullptr;
}

inline const tflite::TensorT& TensorOf(const tflite::ModelT& m, int index) {
  return *m.subgraphs[0]->tensors[static_cast<size_t>(index)];
}

template <typename T>
const T* BufferData(const tflite::ModelT& m, const tflite::TensorT& t) {
  const auto& b = m.buffers[t.buffer]->data;
  return b.empty() ? nullptr : reinterpret_cast<const T*>(b.data());
}

// Hand-built graphs for ops the exported models do not have.
inline ir::TensorType FloatType(std::vector<int64_t> dims) {
  ir::TensorType t;
  t.dtype = DataType::kFloat32;
  t.rank_known = true;
  t.dims = std::move(dims);
  return t;
}

inline Tensor Filled(std::vector<int64_t> dims, float start, float step) {
  Tensor t(DataType::kFloat32, std::move(dims));
  float v = start;
  for (float& x : t.span<float>()) {
    x = v;
    v += step;
    if (v > 1.0f) v -= 2.0f;
  }
  return t;
}

inline ir::ValueId AddOp(ir::Graph* g, const std::string& name, OpKind op, std::vector<ir::ValueId> ins,
                         std::vector<int64_t> out_dims, ir::Attributes attrs = {}) {
  const ir::ValueId y = g->AddValue(name + "_out", FloatType(std::move(out_dims)));
  ir::Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(ins);
  n.outputs = {y};
  n.attrs = std::move(attrs);
  g->AddNode(std::move(n));
  return y;
}

// x [1, 2, 6, 6] -> Conv 3x3 SAME (3 channels) -> GlobalAveragePool ->
// Reshape [1, 3] -> Softmax; and a [1, 3, 4] x [1, 4, 5] MatMul of two
// activations -> Clip(-0.5, 0.75) -> Gather(axis 2, [4, 0, 2]).
inline ir::Graph HandBuiltGraph() {
  ir::Graph g;
  g.name = "hand_built";
  const ir::ValueId x = g.AddValue("x", FloatType({1, 2, 6, 6}));
  const ir::ValueId a = g.AddValue("a", FloatType({1, 3, 4}));
  const ir::ValueId b = g.AddValue("b", FloatType({1, 4, 5}));
  g.inputs = {x, a, b};
  ir::Attributes conv;
  conv.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  const ir::ValueId w = g.AddConstant("w", Filled({3, 2, 3, 3}, -0.9f, 0.037f));
  const ir::ValueId c = AddOp(&g, "conv", OpKind::kConv, {x, w}, {1, 3, 6, 6}, conv);
  const ir::ValueId p = AddOp(&g, "gap", OpKind::kGlobalAveragePool, {c}, {1, 3, 1, 1});
  Tensor shape(DataType::kInt64, {2});
  shape.data<int64_t>()[0] = 1;
  shape.data<int64_t>()[1] = 3;
  const ir::ValueId r = AddOp(&g, "reshape", OpKind::kReshape, {p, g.AddConstant("shape", shape)}, {1, 3});
  ir::Attributes sm;
  sm.Set("axis", int64_t{1});
  const ir::ValueId s = AddOp(&g, "softmax", OpKind::kSoftmax, {r}, {1, 3}, sm);
  const ir::ValueId mm = AddOp(&g, "matmul", OpKind::kMatMul, {a, b}, {1, 3, 5});
  Tensor lo(DataType::kFloat32, {});
  lo.data<float>()[0] = -0.5f;
  Tensor hi(DataType::kFloat32, {});
  hi.data<float>()[0] = 0.75f;
  const ir::ValueId cl =
      AddOp(&g, "clip", OpKind::kClip, {mm, g.AddConstant("lo", lo), g.AddConstant("hi", hi)}, {1, 3, 5});
  Tensor idx(DataType::kInt64, {3});
  idx.data<int64_t>()[0] = 4;
  idx.data<int64_t>()[1] = 0;
  idx.data<int64_t>()[2] = -3;
  ir::Attributes ga;
  ga.Set("axis", int64_t{2});
  const ir::ValueId gt = AddOp(&g, "gather", OpKind::kGather, {cl, g.AddConstant("idx", idx)}, {1, 3, 3}, ga);
  g.outputs = {s, gt};
  return g;
}

}  // namespace qforge::tflite_writer_test
