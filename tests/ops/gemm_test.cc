#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

// A = [[1,2,3],[4,5,6]], B = [[1,0],[0,1],[1,1]]: A*B = [[4,5],[10,11]].
TEST(Gemm, PlainProduct) {
  Tensor a = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = F32({3, 2}, {1, 0, 0, 1, 1, 1});
  ExpectTensor(Run1(OpKind::kGemm, {}, {&a, &b}), {2, 2}, {4, 5, 10, 11});
}

TEST(Gemm, AlphaBetaAndBroadcastBias) {
  Tensor a = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = F32({3, 2}, {1, 0, 0, 1, 1, 1});
  ir::Attributes attrs;
  attrs.Set("alpha", 2.0f);
  attrs.Set("beta", 0.5f);
  Tensor row = F32({2}, {1, 2});  // broadcast over rows
  ExpectTensor(Run1(OpKind::kGemm, attrs, {&a, &b, &row}), {2, 2}, {8.5, 11, 20.5, 23});
  Tensor col = F32({2, 1}, {2, 4});  // broadcast over columns
  ExpectTensor(Run1(OpKind::kGemm, attrs, {&a, &b, &col}), {2, 2}, {9, 11, 22, 24});
  Tensor scalar = F32({}, {10});
  ExpectTensor(Run1(OpKind::kGemm, attrs, {&a, &b, &scalar}), {2, 2}, {13, 15, 25, 27});
  Tensor full = F32({2, 2}, {2, 4, 6, 8});
  ExpectTensor(Run1(OpKind::kGemm, attrs, {&a, &b, &full}), {2, 2}, {9, 12, 23, 26});
}

TEST(Gemm, Transposes) {
  Tensor at = F32({3, 2}, {1, 4, 2, 5, 3, 6});  // A^T
  Tensor bt = F32({2, 3}, {1, 0, 1, 0, 1, 1});  // B^T
  ir::Attributes ta;
  ta.Set("transA", int64_t{1});
  Tensor b = F32({3, 2}, {1, 0, 0, 1, 1, 1});
  ExpectTensor(Run1(OpKind::kGemm, ta, {&at, &b}), {2, 2}, {4, 5, 10, 11});
  ir::Attributes both = ta;
  both.Set("transB", int64_t{1});
  ExpectTensor(Run1(OpKind::kGemm, both, {&at, &bt}), {2, 2}, {4, 5, 10, 11});
}

TEST(Gemm, InferShapesAndErrors) {
  ir::TensorType a = Type(DataType::kFloat32, {-1, 8});
  ir::TensorType b = Type(DataType::kFloat32, {10, 8});
  ir::TensorType c = Type(DataType::kFloat32, {10});
  ir::Attributes attrs;
  attrs.Set("transB", int64_t{1});
  auto r = InferTypes(OpKind::kGemm, attrs, {&a, &b, &c});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{-1, 10}));
  EXPECT_EQ(InferTypes(OpKind::kGemm, {}, {&a, &b}).status().code(), StatusCode::kInvalidModel);  // 8 vs 10
  ir::TensorType c_bad = Type(DataType::kFloat32, {3});
  EXPECT_EQ(InferTypes(OpKind::kGemm, attrs, {&a, &b, &c_bad}).status().code(), StatusCode::kInvalidModel);
  ir::TensorType ai = Type(DataType::kInt8, {2, 8});
  ir::TensorType bi = Type(DataType::kInt8, {8, 2});
  EXPECT_EQ(InferTypes(OpKind::kGemm, {}, {&ai, &bi}).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
