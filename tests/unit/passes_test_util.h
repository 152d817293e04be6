// Helpers of the graph-pass tests (passes_*_test.cc): load the generated
// models (tools/make_pass_test_models.py), run a graph on the reference
// runtime, count ops, and require a pass to preserve what the graph computes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "io/data/npy.h"
#include "io/onnx/onnx_reader.h"
#include "ir/graph.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge::passes_test {

// A pass rewrites float32 arithmetic (BN folded into weights rounds each
// weight once more; a fused clamp is exact): outputs may move by float32
// rounding of a few products, far below 1e-5 of their magnitude, while a
// wrong fold moves them by whole units.
constexpr double kPassTolerance = 1e-5;
// Dynamic dims (the batch) of random inputs.
constexpr int64_t kDynamicDimSize = 3;

inline std::string PassModelPath(const std::string& name) {
  return testing::SourcePath("tests/unit/data/passes/" + name + ".onnx");
}

inline std::unique_ptr<ir::Graph> LoadGraph(const std::string& path) {
  auto g = io::ReadOnnx(path);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(g).value() : nullptr;
}

inline int CountOps(const ir::Graph& g, OpKind op) {
  return static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(),
                                        [&](const ir::Node& n) { return !n.removed && n.op == op; }));
}

inline int LiveNodes(const ir::Graph& g) {
  return static_cast<int>(
      std::count_if(g.nodes.begin(), g.nodes.end(), [](const ir::Node& n) { return !n.removed; }));
}

inline std::vector<std::string> OutputNames(const ir::Graph& g) {
  std::vector<std::string> names;
  for (ir::ValueId id : g.outputs) names.push_back(g.value(id).name);
  return names;
}

// The live node writing the value named `value_name`, or nullptr.
inline const ir::Node* ProducerOf(const ir::Graph& g, const std::string& value_name) {
  for (const ir::Node& n : g.nodes) {
    if (n.removed) continue;
    for (ir::ValueId out : n.outputs) {
      if (out != ir::kNoValue && g.value(out).name == value_name) return &n;
    }
  }
  return nullptr;
}

inline const ir::Node* NodeNamed(const ir::Graph& g, const std::string& name) {
  for (const ir::Node& n : g.nodes) {
    if (!n.removed && n.name == name) return &n;
  }
  return nullptr;
}

// Uniform [-2, 2] float32 inputs for every graph input, dynamic dims set to
// kDynamicDimSize. The range crosses 0 and the Relu6 bound after typical
// layers, so clamps are exercised on both sides.
inline std::vector<Tensor> RandomInputs(const ir::Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<Tensor> inputs;
  for (ir::ValueId id : g.inputs) {
    std::vector<int64_t> dims = g.value(id).type.dims;
    for (int64_t& d : dims) d = d < 0 ? kDynamicDimSize : d;
    Tensor t(DataType::kFloat32, dims);
    for (float& v : t.span<float>()) v = dist(rng);
    inputs.push_back(std::move(t));
  }
  return inputs;
}

inline Result<std::vector<Tensor>> RunGraph(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  return interp.Run(inputs);
}

// Runs both graphs on `inputs` and requires every output within `tolerance`
// (testing::MaxRelError) of the graph before the pass.
inline void ExpectSameOutputs(const ir::Graph& before, const ir::Graph& after,
                              const std::vector<Tensor>& inputs, double tolerance = kPassTolerance) {
  auto want = RunGraph(before, inputs);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto got = RunGraph(after, inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), want->size());
  for (size_t i = 0; i < got->size(); ++i) {
    const double err = testing::MaxRelError((*got)[i], (*want)[i]);
    EXPECT_GE(err, 0.0) << "output " << i << ": shape or dtype changed";
    EXPECT_LE(err, tolerance) << "output " << i << " (" << after.value(after.outputs[i]).name << ")";
  }
}

// A whole .npy file as a tensor of its own dtype.
inline Result<Tensor> ReadNpy(const std::string& path) { return io::ReadNpy(path); }

// The first 32 Fashion-MNIST test images as the example models read them
// (uint8 / 255, shape (32, 1, 28, 28)).
inline Result<Tensor> FashionImages() {
  const std::string path = testing::SourcePath("tests/models/data/fashion_t10k_first32_images.npy");
  QF_ASSIGN_OR_RETURN(Tensor images, ReadNpy(path));
  if (images.dtype() != DataType::kUInt8) return InvalidArgument(path + ": expected uint8 images");
  Tensor x(DataType::kFloat32, images.dims());
  const auto src = images.span<uint8_t>();
  auto dst = x.span<float>();
  for (size_t i = 0; i < dst.size(); ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  return x;
}

}  // namespace qforge::passes_test
