// The quantizer's output on the bundled models (each mode, int8 and uint8
// activations, per channel and per tensor): written as QDQ ONNX, accepted by
// onnx.checker, run by ONNX Runtime with its integer ops within a step of
// qforge's runtime, and read back to the same integer graph.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>

#include "io/data/dataset.h"
#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "onnx_qdq_test_util.h"
#include "passes/pipelines.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "test_util.h"

namespace qforge {
namespace {

using namespace onnx_qdq_test;  // NOLINT: test helpers

// --- The quantizer's output: written, run by ORT, read back the same -------

struct QuantizerCase {
  const char* model;
  quant::QuantMode mode;
  DataType activations;
  bool per_channel = true;
};

class QuantizerRoundTrip : public ::testing::TestWithParam<QuantizerCase> {};

// The one expected difference: a hybrid Gemm with transB is written with
// its int8 weight transposed (MatMulInteger has no transB) and reads back
// as Gemm(transB 0) on "<w>_transposed", per channel along axis 1, with
// default alpha / beta (HybridGemmTransB checks it computes the same).
void NormalizeHybridGemm(ir::Graph* g) {
  for (ir::Node& n : g->nodes) {
    if (n.op != OpKind::kGemm || n.inputs.size() < 2) continue;
    const ir::Value& w = g->value(n.inputs[1]);
    if (g->value(n.inputs[0]).type.dtype != DataType::kFloat32 || !w.is_constant() ||
        w.constant->dtype() != DataType::kInt8)
      continue;
    if (n.attrs.GetInt("transB", 0) != 0) {
      const Tensor& src = *w.constant;
      Tensor t(DataType::kInt8, {src.dim(1), src.dim(0)});
      for (int64_t r = 0; r < src.dim(0); ++r)
        for (int64_t c = 0; c < src.dim(1); ++c)
          t.data<int8_t>()[c * src.dim(0) + r] = src.data<int8_t>()[r * src.dim(1) + c];
      QuantParams q = src.quant();
      if (q.per_axis()) q.axis = 1;
      t.set_quant(q);
      n.inputs[1] = g->AddConstant(w.name + "_transposed", std::move(t));
    }
    for (const char* attr : {"alpha", "beta", "transA", "transB"}) n.attrs.Erase(attr);
  }
}

TEST_P(QuantizerRoundTrip, RunsInOrtAndReadsBackTheSame) {
  const QuantizerCase& c = GetParam();
  auto loaded = io::ReadOnnx(testing::SourcePath(std::string("models/") + c.model + ".onnx"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto prepared = std::shared_ptr<ir::Graph>(std::move(loaded).value());
  ASSERT_TRUE(passes::PrepareForQuantization(prepared.get()).ok());
  quant::QuantizeOptions opt;
  opt.mode = c.mode;
  opt.activation_type = c.activations;
  opt.per_channel = c.per_channel;
  if (quant::NeedsCalibration(c.mode)) {
    io::DataSpec spec;
    spec.path = testing::SourcePath("models/calib/fashion_train100.npy");
    auto data = io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    quant::CalibrateOptions co;
    co.count = 16;  // the ranges' values do not matter here
    auto stats = quant::Calibrate(prepared, *data.value(), co);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    auto ranges = quant::ComputeRanges(stats.value(), {});
    ASSERT_TRUE(ranges.ok()) << ranges.status().ToString();
    for (const auto& [name, r] : ranges.value()) opt.ranges[name] = {r.min, r.max};
  }
  auto q = quant::QuantizeGraph(*prepared, opt, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  TempDir dir;
  const std::string path = dir.file("q.onnx");
  ASSERT_TRUE(io::WriteOnnx(q.value(), path).ok());
  EXPECT_EQ(OnnxCheck(path), 0);
  auto back = io::ReadOnnx(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ir::Graph original = std::move(q).value();
  // ONNX Runtime runs the file: integer ops fused, outputs within
  // kNetworkSteps of qforge's (each layer may differ by one step, ORT
  // requantizing in float, and those differences propagate).
  const ir::TensorType& in_type = original.value(original.inputs[0]).type;
  Tensor input = in_type.dtype == DataType::kFloat32
                     ? RandomFloats({2, 1, 28, 28}, 0.0f, 1.0f, 21)
                     : RandomInts(in_type.dtype, {2, 1, 28, 28}, -128, 127, 21);
  OrtRun ort = RunOrt(path, {input}, 1, dir, /*qdq_int8=*/true);
  ASSERT_TRUE(ort.ok);
  std::vector<Tensor> ours = RunQforge(original, {input});
  ASSERT_EQ(ours.size(), 1u);
  for (const char* float_op : {"Conv", "Gemm", "MatMul", "FusedConv", "FusedGemm"})
    EXPECT_EQ(ort.optimized_ops.count(float_op), 0u) << float_op << " left in float by ORT";
  if (c.mode == quant::QuantMode::kDynamic) {
    EXPECT_GT(ort.optimized_ops.count("ConvInteger") + ort.optimized_ops.count("DynamicQuantizeMatMul"), 0u);
    EXPECT_GE(testing::MaxRelError(ort.outputs[0], ours[0]), 0);
    EXPECT_LE(testing::MaxRelError(ort.outputs[0], ours[0]), kHybridTolerance);
  } else if (ours[0].dtype() == DataType::kFloat32) {
    // int8 mode: float logits through the output DequantizeLinear.
    const ir::Node& last = original.nodes.back();
    ASSERT_EQ(last.op, OpKind::kDequantizeLinear);
    const float step = original.value(last.inputs[0]).type.quant.scale[0];
    EXPECT_GE(testing::MaxRelError(ort.outputs[0], ours[0]), 0);
    for (int64_t i = 0; i < ours[0].num_elements(); ++i) {
      EXPECT_LE(std::abs(ort.outputs[0].data<float>()[i] - ours[0].data<float>()[i]),
                kNetworkSteps * step * 1.0001f)
          << "element " << i;
    }
  } else {
    EXPECT_GE(MaxStepDiff(ort.outputs[0], ours[0]), 0);
    EXPECT_LE(MaxStepDiff(ort.outputs[0], ours[0]), kNetworkSteps);
  }
  NormalizeHybridGemm(&original);
  ASSERT_TRUE(original.TopologicalSort().ok());
  EXPECT_EQ(DiffGraphs(original, *back.value()), "");
}

INSTANTIATE_TEST_SUITE_P(
    Models, QuantizerRoundTrip,
    ::testing::Values(QuantizerCase{"cnn", quant::QuantMode::kInt8, DataType::kInt8},
                      QuantizerCase{"cnn", quant::QuantMode::kInt8Only, DataType::kInt8},
                      QuantizerCase{"cnn", quant::QuantMode::kDynamic, DataType::kInt8},
                      QuantizerCase{"mobilenet", quant::QuantMode::kInt8, DataType::kInt8},
                      QuantizerCase{"mobilenet", quant::QuantMode::kDynamic, DataType::kInt8},
                      QuantizerCase{"resnet", quant::QuantMode::kInt8, DataType::kUInt8},
                      QuantizerCase{"resnet", quant::QuantMode::kInt8Only, DataType::kInt8},
                      QuantizerCase{"resnet", quant::QuantMode::kInt8, DataType::kInt8, false},
                      QuantizerCase{"mobilenet", quant::QuantMode::kDynamic, DataType::kInt8, false}),
    [](const ::testing::TestParamInfo<QuantizerCase>& info) {
      std::string n = std::string(info.param.model) + "_" + quant::QuantModeName(info.param.mode) + "_" +
                      DataTypeName(info.param.activations) + (info.param.per_channel ? "" : "_per_tensor");
      for (char& ch : n) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return n;
    });

}  // namespace
}  // namespace qforge
