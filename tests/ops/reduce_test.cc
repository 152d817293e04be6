#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

ir::Attributes Keep(int64_t keepdims, int64_t noop = 0) {
  ir::Attributes a;
  a.Set("keepdims", keepdims);
  if (noop) a.Set("noop_with_empty_axes", noop);
  return a;
}

// x = [[1, 2, 3], [4, 5, 6]]
TEST(Reduce, SumAlongAxes) {
  Tensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor ax1 = I64({1}, {1});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(1), {&x, &ax1}), {2, 1}, {6, 15});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(0), {&x, &ax1}), {2}, {6, 15});
  Tensor neg = I64({1}, {-2});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(0), {&x, &neg}), {3}, {5, 7, 9});
}

TEST(Reduce, EmptyOrMissingAxesReduceAllUnlessNoop) {
  Tensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(1), {&x}), {1, 1}, {21});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(0), {&x}), {}, {21});
  Tensor empty = I64({0}, {});
  ExpectTensor(Run1(OpKind::kReduceMean, Keep(1), {&x, &empty}), {1, 1}, {3.5});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(1, 1), {&x, &empty}), {2, 3}, {1, 2, 3, 4, 5, 6});
  ExpectTensor(Run1(OpKind::kReduceMax, Keep(0, 1), {&x}), {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(Reduce, MeanAndMax) {
  Tensor x = F32({2, 3}, {1, 5, 3, 4, 2, 6});
  Tensor ax0 = I64({1}, {0});
  ExpectTensor(Run1(OpKind::kReduceMean, Keep(1), {&x, &ax0}), {1, 3}, {2.5, 3.5, 4.5});
  ExpectTensor(Run1(OpKind::kReduceMax, Keep(1), {&x, &ax0}), {1, 3}, {4, 5, 6});
  Tensor ax1 = I64({1}, {1});
  ExpectTensor(Run1(OpKind::kReduceMax, Keep(0), {&x, &ax1}), {2}, {5, 6});
}

TEST(Reduce, ThreeDimsTwoAxes) {
  // x[i][j][k] = 100 i + 10 j + k, shape [2, 2, 3]; reduce axes 0 and 2.
  std::vector<double> v;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 3; ++k) v.push_back(100 * i + 10 * j + k);
  Tensor x = F32({2, 2, 3}, v);
  Tensor axes = I64({2}, {0, 2});
  // j = 0: sum over i, k of (100 i + k) = 3 * 100 + 2 * 3 = 306; j = 1 adds 6 * 10.
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(1), {&x, &axes}), {1, 2, 1}, {306, 366});
  ExpectTensor(Run1(OpKind::kReduceMean, Keep(0), {&x, &axes}), {2}, {51, 61});
  ExpectTensor(Run1(OpKind::kReduceMax, Keep(0), {&x, &axes}), {2}, {102, 112});
}

TEST(Reduce, Integers) {
  Tensor x = MakeTensor(DataType::kInt32, {2, 2}, {-3, 7, 2, -9});
  Tensor ax1 = I64({1}, {1});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(0), {&x, &ax1}), {2}, {4, -7});
  ExpectTensor(Run1(OpKind::kReduceMax, Keep(0), {&x, &ax1}), {2}, {7, 2});
  Tensor x64 = MakeTensor(DataType::kInt64, {2}, {4e12, 5e12});
  ExpectTensor(Run1(OpKind::kReduceSum, Keep(0), {&x64}), {}, {9e12});
}

TEST(Reduce, InferShapes) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 3, 8});
  ir::TensorType axes_t = Type(DataType::kInt64, {1});
  Tensor axes = I64({1}, {-1});
  auto r = InferTypes(OpKind::kReduceMean, Keep(0), {&x, &axes_t}, {nullptr, &axes});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 3}));
  r = InferTypes(OpKind::kReduceMean, Keep(1), {&x, &axes_t}, {nullptr, &axes});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 3, 1}));
  // Axes not constant: rank unknown without keepdims, dims unknown with it.
  r = InferTypes(OpKind::kReduceSum, Keep(0), {&x, &axes_t});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)[0].rank_known);
  r = InferTypes(OpKind::kReduceSum, Keep(1), {&x, &axes_t});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (Ints{-1, -1, -1}));

  Tensor dup = I64({2}, {1, -2});
  ir::TensorType dup_t = Type(DataType::kInt64, {2});
  EXPECT_EQ(InferTypes(OpKind::kReduceSum, Keep(1), {&x, &dup_t}, {nullptr, &dup}).status().code(),
            StatusCode::kInvalidModel);
  Tensor out_of_range = I64({1}, {3});
  EXPECT_EQ(InferTypes(OpKind::kReduceSum, Keep(1), {&x, &axes_t}, {nullptr, &out_of_range}).status().code(),
            StatusCode::kInvalidModel);
  ir::TensorType xi = Type(DataType::kInt32, {2});
  EXPECT_EQ(InferTypes(OpKind::kReduceMean, Keep(1), {&xi}).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
