#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

// Rows [1, 3] (mean 2, var 1) and [2, 6] (mean 4, var 4) both normalize to
// [-1, 1]; scale [2, 3] and bias [1, 0] give [-1, 3].
TEST(LayerNorm, LastAxisWithStatistics) {
  Tensor x = F32({2, 2}, {1, 3, 2, 6});
  Tensor scale = F32({2}, {2, 3});
  Tensor bias = F32({2}, {1, 0});
  ir::Attributes a;
  a.Set("epsilon", 0.0f);
  auto r = RunSingleOp(OpKind::kLayerNormalization, a, {&x, &scale, &bias}, 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectTensor((*r)[0], {2, 2}, {-1, 3, -1, 3});
  ExpectTensor((*r)[1], {2, 1}, {2, 4});
  ExpectTensor((*r)[2], {2, 1}, {1, 0.5});
  // Without bias.
  ExpectTensor(Run1(OpKind::kLayerNormalization, a, {&x, &scale}), {2, 2}, {-2, 3, -2, 3});
}

TEST(LayerNorm, AxisZeroNormalizesEverything) {
  Tensor x = F32({2, 2}, {1, 3, 2, 6});
  Tensor scale = F32({2, 2}, {1, 1, 1, 1});
  ir::Attributes a;
  a.Set("axis", int64_t{0});
  a.Set("epsilon", 0.5f);
  // mean 3, var (4 + 0 + 1 + 9) / 4 = 3.5, + eps = 4 -> inv_std 0.5.
  ExpectTensor(Run1(OpKind::kLayerNormalization, a, {&x, &scale}), {2, 2}, {-1, 0, -0.5, 1.5});
}

TEST(LayerNorm, ScaleBroadcastsOverNormalizedDims) {
  Tensor x = F32({1, 2, 2}, {1, 3, 2, 6});
  Tensor scale = F32({1}, {2});  // broadcast to [2, 2]
  ir::Attributes a;
  a.Set("axis", int64_t{-2});
  a.Set("epsilon", 0.5f);
  ExpectTensor(Run1(OpKind::kLayerNormalization, a, {&x, &scale}), {1, 2, 2}, {-2, 0, -1, 3});
}

TEST(LayerNorm, InferShapes) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 7, 16});
  ir::TensorType s = Type(DataType::kFloat32, {16});
  auto r = InferTypes(OpKind::kLayerNormalization, {}, {&x, &s, &s}, {}, 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{-1, 7, 16}));
  EXPECT_EQ((*r)[1].dims, (std::vector<int64_t>{-1, 7, 1}));
  EXPECT_EQ((*r)[2].dims, (std::vector<int64_t>{-1, 7, 1}));
  ir::Attributes bad_axis;
  bad_axis.Set("axis", int64_t{3});
  EXPECT_EQ(InferTypes(OpKind::kLayerNormalization, bad_axis, {&x, &s}).status().code(),
            StatusCode::kInvalidModel);
  ir::TensorType s_bad = Type(DataType::kFloat32, {8});
  EXPECT_NE(InferTypes(OpKind::kLayerNormalization, {}, {&x, &s_bad}).status().code(), StatusCode::kOk);
}

}  // namespace
}  // namespace qforge::testing
