// The TFLite importer's per-operator mappings: each small model runs through
// the IR and is checked against values worked out from TFLite's definition.
#include <gtest/gtest.h>

#include <cmath>

#include "io/tflite/read/tflite_reader.h"
#include "runtime/interpreter.h"
#include "unit/tflite_reader_test_models.h"

namespace qforge {
namespace {

using tflite_test::TfliteBuilder;
constexpr auto kF32 = tflite::TensorType_FLOAT32;
constexpr auto kI32 = tflite::TensorType_INT32;

Tensor F32(std::vector<int64_t> dims, const std::vector<float>& v) {
  Tensor t(DataType::kFloat32, std::move(dims));
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

std::vector<Tensor> RunModel(const TfliteBuilder& b, std::vector<Tensor> inputs) {
  auto g = io::ReadTfliteFromBytes(b.Finish(), "ops.tflite");
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (!g.ok()) return {};
  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(g).value()));
  auto out = interp.Run(inputs);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? std::move(out).value() : std::vector<Tensor>{};
}

void ExpectValues(const Tensor& t, const std::vector<int64_t>& dims, const std::vector<float>& want,
                  float tol = 1e-6f) {
  ASSERT_EQ(t.dims(), dims);
  ASSERT_EQ(static_cast<size_t>(t.num_elements()), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t.data<float>()[i], want[i], tol) << "element " << i;
}

TEST(TfliteReaderOps, PadMeanConcat) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 2, 2, 1});
  const int pads = b.Constant("paddings", kI32, {4, 2}, std::vector<int32_t>{0, 0, 1, 0, 0, 1, 0, 0});
  const int padded = b.Tensor("padded", kF32, {1, 3, 3, 1});
  const int axes = b.Constant("axes", kI32, {2}, std::vector<int32_t>{1, 2});
  const int mean = b.Tensor("mean", kF32, {1, 1, 1, 1});
  const int cat = b.Tensor("cat", kF32, {1, 2, 2, 2});
  b.Op(tflite::BuiltinOperator_PAD, {x, pads}, {padded});
  tflite::ReducerOptionsT keep;
  keep.keep_dims = true;
  b.Op(tflite::BuiltinOperator_MEAN, {padded, axes}, {mean}, keep);
  tflite::ConcatenationOptionsT co;
  co.axis = 3;
  co.fused_activation_function = tflite::ActivationFunctionType_RELU_N1_TO_1;
  b.Op(tflite::BuiltinOperator_CONCATENATION, {x, x}, {cat}, co);
  b.Io({x}, {padded, mean, cat});
  auto out = RunModel(b, {F32({1, 2, 2, 1}, {1, 2, 3, -4})});
  ASSERT_EQ(out.size(), 3u);
  ExpectValues(out[0], {1, 3, 3, 1}, {0, 0, 0, 1, 2, 0, 3, -4, 0});
  ExpectValues(out[1], {1, 1, 1, 1}, {2.0f / 9.0f});
  ExpectValues(out[2], {1, 2, 2, 2}, {1, 1, 1, 1, 1, 1, -1, -1});  // clamped to [-1, 1]
}

// RSQRT (openWakeWord's layer norms) reads as Sqrt then Reciprocal.
TEST(TfliteReaderOps, Rsqrt) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 4});
  const int y = b.Tensor("y", kF32, {1, 4});
  b.Op(tflite::BuiltinOperator_RSQRT, {x}, {y});
  b.Io({x}, {y});
  auto out = RunModel(b, {F32({1, 4}, {1, 4, 0.25f, 16})});
  ASSERT_EQ(out.size(), 1u);
  ExpectValues(out[0], {1, 4}, {1, 0.5f, 2, 0.25f});
}

// MIRROR_PAD REFLECT is ONNX's reflect Pad; SYMMETRIC has no ONNX mode.
TEST(TfliteReaderOps, MirrorPad) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 4});
  const int pads = b.Constant("paddings", kI32, {2, 2}, std::vector<int32_t>{0, 0, 2, 1});
  const int y = b.Tensor("y", kF32, {1, 7});
  tflite::MirrorPadOptionsT o;
  o.mode = tflite::MirrorPadMode_REFLECT;
  b.Op(tflite::BuiltinOperator_MIRROR_PAD, {x, pads}, {y}, o);
  b.Io({x}, {y});
  auto out = RunModel(b, {F32({1, 4}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 1u);
  ExpectValues(out[0], {1, 7}, {3, 2, 1, 2, 3, 4, 3});

  o.mode = tflite::MirrorPadMode_SYMMETRIC;
  b.subgraph().operators[0]->builtin_options.Set(o);
  auto g = io::ReadTfliteFromBytes(b.Finish(), "ops.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("operator 0 (MIRROR_PAD): MIRROR_PAD mode SYMMETRIC"),
            std::string::npos)
      << g.status().message();
}

TEST(TfliteReaderOps, StridedSliceMasksAndShrink) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {2, 3});
  const int begin = b.Constant("begin", kI32, {2}, std::vector<int32_t>{1, 7});
  const int end = b.Constant("end", kI32, {2}, std::vector<int32_t>{2, 3});
  const int strides = b.Constant("strides", kI32, {2}, std::vector<int32_t>{1, 2});
  const int y = b.Tensor("y", kF32, {2});
  tflite::StridedSliceOptionsT o;
  o.begin_mask = 2;        // axis 1 starts at 0 whatever begin says
  o.shrink_axis_mask = 1;  // axis 0: one row, dropped
  b.Op(tflite::BuiltinOperator_STRIDED_SLICE, {x, begin, end, strides}, {y}, o);
  b.Io({x}, {y});
  auto out = RunModel(b, {F32({2, 3}, {0, 1, 2, 3, 4, 5})});
  ASSERT_EQ(out.size(), 1u);
  ExpectValues(out[0], {2}, {3, 5});
}

TEST(TfliteReaderOps, SliceSplitVAndSplit) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 6});
  const int sizes = b.Constant("sizes", kI32, {2}, std::vector<int32_t>{2, -1});
  const int axis = b.Constant("axis", kI32, {}, std::vector<int32_t>{1});
  const int a = b.Tensor("a", kF32, {1, 2}), c = b.Tensor("c", kF32, {1, 4});
  b.Op(tflite::BuiltinOperator_SPLIT_V, {x, sizes, axis}, {a, c}, tflite::SplitVOptionsT{});
  const int h0 = b.Tensor("h0", kF32, {1, 2}), h1 = b.Tensor("h1", kF32, {1, 2});
  tflite::SplitOptionsT so;
  so.num_splits = 2;
  b.Op(tflite::BuiltinOperator_SPLIT, {axis, c}, {h0, h1}, so);
  const int sb = b.Constant("slice_begin", kI32, {2}, std::vector<int32_t>{0, 3});
  const int ss = b.Constant("slice_size", kI32, {2}, std::vector<int32_t>{1, -1});
  const int tail = b.Tensor("tail", kF32, {1, 3});
  b.Op(tflite::BuiltinOperator_SLICE, {x, sb, ss}, {tail});
  b.Io({x}, {a, h0, h1, tail});
  auto out = RunModel(b, {F32({1, 6}, {0, 1, 2, 3, 4, 5})});
  ASSERT_EQ(out.size(), 4u);
  ExpectValues(out[0], {1, 2}, {0, 1});
  ExpectValues(out[1], {1, 2}, {2, 3});
  ExpectValues(out[2], {1, 2}, {4, 5});
  ExpectValues(out[3], {1, 3}, {3, 4, 5});
}

TEST(TfliteReaderOps, ShapeOpsAndSoftmax) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 2, 3});
  const int perm = b.Constant("perm", kI32, {3}, std::vector<int32_t>{0, 2, 1});
  const int t = b.Tensor("t", kF32, {1, 3, 2});
  b.Op(tflite::BuiltinOperator_TRANSPOSE, {x, perm}, {t});
  const int shape = b.Constant("shape", kI32, {2}, std::vector<int32_t>{3, 2});
  const int r = b.Tensor("r", kF32, {3, 2});
  b.Op(tflite::BuiltinOperator_RESHAPE, {t, shape}, {r});
  const int ax = b.Constant("ax", kI32, {1}, std::vector<int32_t>{0});
  const int e = b.Tensor("e", kF32, {1, 3, 2});
  b.Op(tflite::BuiltinOperator_EXPAND_DIMS, {r, ax}, {e});
  const int s = b.Tensor("s", kF32, {3, 2});
  tflite::SqueezeOptionsT sq;
  sq.squeeze_dims = {0};
  b.Op(tflite::BuiltinOperator_SQUEEZE, {e}, {s}, sq);
  const int sm = b.Tensor("sm", kF32, {3, 2});
  tflite::SoftmaxOptionsT so;
  so.beta = 1.0f;
  b.Op(tflite::BuiltinOperator_SOFTMAX, {s}, {sm}, so);
  b.Io({x}, {s, sm});
  auto out = RunModel(b, {F32({1, 2, 3}, {0, 1, 2, 3, 4, 5})});
  ASSERT_EQ(out.size(), 2u);
  ExpectValues(out[0], {3, 2}, {0, 3, 1, 4, 2, 5});
  const float p = 1.0f / (1.0f + std::exp(3.0f));  // softmax of (a, a + 3)
  ExpectValues(out[1], {3, 2}, {p, 1 - p, p, 1 - p, p, 1 - p}, 1e-6f);

  // beta != 1 is not modelled.
  b.subgraph().operators[4]->builtin_options.AsSoftmaxOptions()->beta = 2.0f;
  auto g = io::ReadTfliteFromBytes(b.Finish(), "ops.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(g.status().message().find("operator 4 (SOFTMAX)"), std::string::npos) << g.status().message();
}

TEST(TfliteReaderOps, TransposeConvSameStride2) {
  // in [1, 2, 2, 1], weights [1, 3, 3, 1], output_shape [1, 4, 4, 1]: SAME
  // total pad max((2 - 1) * 2 + 3 - 4, 0) = 1, all of it at the end.
  const std::vector<float> xin = {1, 2, 3, 4};
  std::vector<float> w(9);
  for (int i = 0; i < 9; ++i) w[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  TfliteBuilder b;
  const int os = b.Constant("output_shape", kI32, {4}, std::vector<int32_t>{1, 4, 4, 1});
  const int wt = b.Constant("w", kF32, {1, 3, 3, 1}, w);
  const int x = b.Tensor("x", kF32, {1, 2, 2, 1});
  const int y = b.Tensor("y", kF32, {1, 4, 4, 1});
  tflite::TransposeConvOptionsT o;
  o.padding = tflite::Padding_SAME;
  o.stride_h = o.stride_w = 2;
  b.Op(tflite::BuiltinOperator_TRANSPOSE_CONV, {os, wt, x}, {y}, o);
  b.Io({x}, {y});
  std::vector<float> want(16, 0.0f);
  for (int iy = 0; iy < 2; ++iy) {
    for (int ix = 0; ix < 2; ++ix) {
      for (int ky = 0; ky < 3; ++ky) {
        for (int kx = 0; kx < 3; ++kx) {
          const int oy = iy * 2 + ky, ox = ix * 2 + kx;  // pad_top = pad_left = 0
          if (oy < 4 && ox < 4) {
            want[static_cast<size_t>(oy * 4 + ox)] +=
                xin[static_cast<size_t>(iy * 2 + ix)] * w[static_cast<size_t>(ky * 3 + kx)];
          }
        }
      }
    }
  }
  auto out = RunModel(b, {F32({1, 2, 2, 1}, xin)});
  ASSERT_EQ(out.size(), 1u);
  ExpectValues(out[0], {1, 4, 4, 1}, want, 1e-5f);
}

TEST(TfliteReaderOps, ResizeBilinearAndNearest) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 2, 2, 1});
  const int size = b.Constant("size", kI32, {2}, std::vector<int32_t>{4, 4});
  const int bl = b.Tensor("bilinear", kF32, {1, 4, 4, 1});
  const int nn = b.Tensor("nearest", kF32, {1, 4, 4, 1});
  b.Op(tflite::BuiltinOperator_RESIZE_BILINEAR, {x, size}, {bl}, tflite::ResizeBilinearOptionsT{});
  b.Op(tflite::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, {x, size}, {nn},
       tflite::ResizeNearestNeighborOptionsT{});
  b.Io({x}, {bl, nn});
  auto out = RunModel(b, {F32({1, 2, 2, 1}, {0, 1, 2, 3})});
  ASSERT_EQ(out.size(), 2u);
  // Asymmetric: source coordinate = out * 0.5, clamped to the last pixel.
  const std::vector<float> row0 = {0, 0.5f, 1, 1}, row1 = {1, 1.5f, 2, 2}, row2 = {2, 2.5f, 3, 3};
  std::vector<float> want;
  for (const auto* r : {&row0, &row1, &row2, &row2}) want.insert(want.end(), r->begin(), r->end());
  ExpectValues(out[0], {1, 4, 4, 1}, want);
  ExpectValues(out[1], {1, 4, 4, 1}, {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3});
}

TEST(TfliteReaderOps, BatchMatMulAdjYAndFullyConnectedKeepNumDims) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 2, 3});
  const int yw = b.Constant("y", kF32, {1, 2, 3}, std::vector<float>{1, 0, 0, 1, 1, 1});
  const int mm = b.Tensor("mm", kF32, {1, 2, 2});
  tflite::BatchMatMulOptionsT bo;
  bo.adj_y = true;
  b.Op(tflite::BuiltinOperator_BATCH_MATMUL, {x, yw}, {mm}, bo);
  const int w = b.Constant("fc_w", kF32, {2, 3}, std::vector<float>{1, 1, 1, 0, 0, -1});
  const int fc = b.Tensor("fc", kF32, {1, 2, 2});
  tflite::FullyConnectedOptionsT fo;
  fo.keep_num_dims = true;
  b.Op(tflite::BuiltinOperator_FULLY_CONNECTED, {x, w, -1}, {fc}, fo);
  b.Io({x}, {mm, fc});
  auto out = RunModel(b, {F32({1, 2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_EQ(out.size(), 2u);
  // x @ y^T: rows of y are (1,0,0) and (1,1,1).
  ExpectValues(out[0], {1, 2, 2}, {1, 6, 4, 15});
  ExpectValues(out[1], {1, 2, 2}, {6, -3, 15, -6});
}

TEST(TfliteReaderOps, HybridFullyConnectedIsCloseToFloat) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {1, 4});
  const int w = b.Constant("w", tflite::TensorType_INT8, {2, 4},
                           std::vector<int8_t>{127, 64, -32, 0, -127, 10, 20, 30});
  b.Quantize(w, {0.01f, 0.02f}, {0, 0}, 0);
  const int bias = b.Constant("bias", kF32, {2}, std::vector<float>{0.5f, -0.5f});
  const int y = b.Tensor("y", kF32, {1, 2});
  tflite::FullyConnectedOptionsT fo;
  fo.asymmetric_quantize_inputs = true;
  b.Op(tflite::BuiltinOperator_FULLY_CONNECTED, {x, w, bias}, {y}, fo);
  b.Io({x}, {y});
  const std::vector<float> xv = {1.0f, -0.5f, 0.25f, 2.0f};
  auto out = RunModel(b, {F32({1, 4}, xv)});
  ASSERT_EQ(out.size(), 1u);
  const float y0 = 0.5f + 0.01f * (127 * 1.0f + 64 * -0.5f + -32 * 0.25f);
  const float y1 = -0.5f + 0.02f * (-127 * 1.0f + 10 * -0.5f + 20 * 0.25f + 30 * 2.0f);
  // The input is quantized per inference to 8 bits over [-0.5, 2]: error
  // below one input step (2.5 / 255) times the weights' L1 norm.
  ExpectValues(out[0], {1, 2}, {y0, y1}, 0.05f);
}

// Every operator without an importer is named in one error.
TEST(TfliteReaderOps, UnsupportedOperatorsAreListedTogether) {
  TfliteBuilder b;
  const int x = b.Tensor("x", kF32, {3});
  const int s1 = b.Tensor("s1", kF32, {3});
  const int s2 = b.Tensor("s2", kF32, {3});
  const int c = b.Tensor("c", kF32, {3});
  b.Op(tflite::BuiltinOperator_FLOOR, {x}, {s1});
  b.Op(tflite::BuiltinOperator_FLOOR, {s1}, {s2});
  b.Op(tflite::BuiltinOperator_CEIL, {s2}, {c});
  b.Io({x}, {c});
  auto g = io::ReadTfliteFromBytes(b.Finish(), "ops.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(g.status().message().find(
                "unsupported ops: CEIL (1 node: 'CEIL_2'), FLOOR (2 nodes: 'FLOOR_0', 'FLOOR_1')"),
            std::string::npos)
      << g.status().message();
}

}  // namespace
}  // namespace qforge
