#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

ir::Attributes ResizeAttrs(const std::string& mode, const std::string& coord,
                           const std::string& nearest = "") {
  ir::Attributes a;
  a.Set("mode", mode);
  a.Set("coordinate_transformation_mode", coord);
  if (!nearest.empty()) a.Set("nearest_mode", nearest);
  return a;
}

TEST(Resize, NearestUpsampleByScales) {
  Tensor x = F32({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor scales = F32({4}, {1, 1, 2, 2});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("nearest", "asymmetric"), {&x, nullptr, &scales}),
               {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

// Input [a, b] = [10, 20] to length 4, asymmetric: source coordinates 0,
// 0.5, 1, 1.5; the nearest modes differ on the halves.
TEST(Resize, NearestModes) {
  Tensor x = F32({1, 2}, {10, 20});
  Tensor sizes = I64({2}, {1, 4});
  auto run = [&](const std::string& mode) {
    return Run1(OpKind::kResize, ResizeAttrs("nearest", "asymmetric", mode), {&x, nullptr, nullptr, &sizes});
  };
  ExpectTensor(run("round_prefer_floor"), {1, 4}, {10, 10, 20, 20});
  ExpectTensor(run("round_prefer_ceil"), {1, 4}, {10, 20, 20, 20});  // 1.5 -> 2, clamped to 1
  ExpectTensor(run("floor"), {1, 4}, {10, 10, 20, 20});
  ExpectTensor(run("ceil"), {1, 4}, {10, 20, 20, 20});
}

// [10, 20, 30, 40] to length 2 (scale 0.5): half_pixel sources 0.5 and 2.5
// (ties, broken by nearest_mode); tf_half_pixel_for_nearest sources 1 and 3.
TEST(Resize, NearestHalfPixelVariants) {
  Tensor x = F32({4}, {10, 20, 30, 40});
  Tensor sizes = I64({1}, {2});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("nearest", "half_pixel"), {&x, nullptr, nullptr, &sizes}),
               {2}, {10, 30});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("nearest", "half_pixel", "round_prefer_ceil"),
                    {&x, nullptr, nullptr, &sizes}),
               {2}, {20, 40});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("nearest", "tf_half_pixel_for_nearest"),
                    {&x, nullptr, nullptr, &sizes}),
               {2}, {20, 40});
  Tensor u8 = MakeTensor(DataType::kUInt8, {4}, {1, 2, 3, 250});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("nearest", "asymmetric"), {&u8, nullptr, nullptr, &sizes}),
               {2}, {1, 3});
}

TEST(Resize, LinearCoordinateModes) {
  Tensor x = F32({1, 1, 1, 2}, {1, 3});
  Tensor scales = F32({4}, {1, 1, 1, 2});
  // half_pixel: source -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("linear", "half_pixel"), {&x, nullptr, &scales}),
               {1, 1, 1, 4}, {1, 1.5, 2.5, 3});
  // asymmetric: 0, 0.5, 1, 1.5.
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("linear", "asymmetric"), {&x, nullptr, &scales}),
               {1, 1, 1, 4}, {1, 2, 3, 3});
  // align_corners to 3: 0, 0.5, 1.
  Tensor sizes = I64({4}, {1, 1, 1, 3});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("linear", "align_corners"), {&x, nullptr, nullptr, &sizes}),
               {1, 1, 1, 3}, {1, 2, 3});
  // pytorch_half_pixel to length 1 reads position 0.
  Tensor one = I64({4}, {1, 1, 1, 1});
  ExpectTensor(
      Run1(OpKind::kResize, ResizeAttrs("linear", "pytorch_half_pixel"), {&x, nullptr, nullptr, &one}),
      {1, 1, 1, 1}, {1});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("linear", "half_pixel"), {&x, nullptr, nullptr, &one}),
               {1, 1, 1, 1}, {2});  // half_pixel: source 0.5
}

TEST(Resize, BilinearDownsample) {
  // 2x4 -> 1x2 with half_pixel: source rows 0.5, columns 0.5 and 2.5.
  Tensor x = F32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor scales = F32({4}, {1, 1, 0.5, 0.5});
  ExpectTensor(Run1(OpKind::kResize, ResizeAttrs("linear", "half_pixel"), {&x, nullptr, &scales}),
               {1, 1, 1, 2}, {3.5, 5.5});
}

TEST(Resize, TfCropAndResizeExtrapolates) {
  Tensor x = F32({1, 3}, {1, 2, 3});
  Tensor sizes = I64({2}, {1, 2});
  ir::Attributes a = ResizeAttrs("linear", "tf_crop_and_resize");
  a.Set("extrapolation_value", 9.0f);
  Tensor roi = F32({4}, {0, 0, 1, 0.5});  // width: source 0 and 1
  ExpectTensor(Run1(OpKind::kResize, a, {&x, &roi, nullptr, &sizes}), {1, 2}, {1, 2});
  Tensor wide = F32({4}, {0, 0, 1, 1.5});  // width: source 0 and 3 (outside)
  ExpectTensor(Run1(OpKind::kResize, a, {&x, &wide, nullptr, &sizes}), {1, 2}, {1, 9});
}

TEST(Resize, InferShapesAndUnsupported) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 3, 10, 20});
  ir::TensorType scales_t = Type(DataType::kFloat32, {4});
  Tensor scales = F32({4}, {1, 1, 2, 0.5});
  auto r = InferTypes(OpKind::kResize, {}, {&x, nullptr, &scales_t}, {nullptr, nullptr, &scales});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 3, 20, 10}));
  // sizes not constant: rank known, dims unknown.
  ir::TensorType sizes_t = Type(DataType::kInt64, {4});
  r = InferTypes(OpKind::kResize, {}, {&x, nullptr, nullptr, &sizes_t});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)[0].rank_known);
  EXPECT_EQ((*r)[0].dims, (Ints{-1, -1, -1, -1}));
  // An empty scales input next to sizes (opset 11) is "absent".
  ir::TensorType empty_t = Type(DataType::kFloat32, {0});
  Tensor sizes = I64({4}, {2, 3, 5, 5});
  r = InferTypes(OpKind::kResize, {}, {&x, nullptr, &empty_t, &sizes_t}, {nullptr, nullptr, nullptr, &sizes});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (Ints{2, 3, 5, 5}));

  ir::TensorType xs = Type(DataType::kFloat32, {1, 3, 10, 20});
  EXPECT_EQ(InferTypes(OpKind::kResize, ResizeAttrs("cubic", "half_pixel"), {&xs, nullptr, &scales_t},
                       {nullptr, nullptr, &scales})
                .status()
                .code(),
            StatusCode::kUnsupported);
  ir::Attributes anti;
  anti.Set("antialias", int64_t{1});
  EXPECT_EQ(InferTypes(OpKind::kResize, anti, {&xs, nullptr, &scales_t}, {nullptr, nullptr, &scales})
                .status()
                .code(),
            StatusCode::kUnsupported);
  ir::Attributes policy;
  policy.Set("keep_aspect_ratio_policy", std::string("not_larger"));
  EXPECT_EQ(InferTypes(OpKind::kResize, policy, {&xs, nullptr, &scales_t}, {nullptr, nullptr, &scales})
                .status()
                .code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(InferTypes(OpKind::kResize, ResizeAttrs("bogus", "half_pixel"), {&xs}).status().code(),
            StatusCode::kInvalidModel);
  // Both scales and sizes given.
  EXPECT_EQ(InferTypes(OpKind::kResize, {}, {&xs, nullptr, &scales_t, &sizes_t},
                       {nullptr, nullptr, &scales, &sizes})
                .status()
                .code(),
            StatusCode::kInvalidModel);
  ir::TensorType xi = Type(DataType::kInt32, {1, 1, 2, 2});
  EXPECT_EQ(InferTypes(OpKind::kResize, ResizeAttrs("linear", "half_pixel"), {&xi, nullptr, &scales_t},
                       {nullptr, nullptr, &scales})
                .status()
                .code(),
            StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
