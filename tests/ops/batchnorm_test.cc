#include <gtest/gtest.h>

#include <cmath>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

TEST(BatchNorm, PerChannelAffine) {
  Tensor x = F32({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor scale = F32({2}, {1, 2});
  Tensor bias = F32({2}, {0, 1});
  Tensor mean = F32({2}, {1, 3});
  Tensor var = F32({2}, {4, 0.25});
  ir::Attributes a;
  a.Set("epsilon", 0.0f);
  // c0: (x - 1) / 2; c1: (x - 3) / 0.5 * 2 + 1.
  ExpectTensor(Run1(OpKind::kBatchNormalization, a, {&x, &scale, &bias, &mean, &var}), {1, 2, 1, 2},
               {0, 0.5, 1, 5});
}

TEST(BatchNorm, EpsilonAndRank2) {
  Tensor x = F32({2, 1}, {3, -1});
  Tensor one = F32({1}, {1});
  Tensor zero = F32({1}, {0});
  Tensor var = F32({1}, {0.5});
  ir::Attributes a;
  a.Set("epsilon", 0.5f);  // var + eps = 1
  ExpectTensor(Run1(OpKind::kBatchNormalization, a, {&x, &one, &zero, &zero, &var}), {2, 1}, {3, -1});
  // Default epsilon 1e-5: 3 / sqrt(0.5 + 1e-5).
  ExpectTensor(Run1(OpKind::kBatchNormalization, {}, {&x, &one, &zero, &zero, &var}), {2, 1},
               {3 / std::sqrt(0.5 + 1e-5), -1 / std::sqrt(0.5 + 1e-5)});
}

TEST(BatchNorm, InferAndErrors) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 3, 8, 8});
  ir::TensorType p = Type(DataType::kFloat32, {3});
  auto r = InferTypes(OpKind::kBatchNormalization, {}, {&x, &p, &p, &p, &p});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{-1, 3, 8, 8}));
  ir::TensorType p4 = Type(DataType::kFloat32, {4});
  EXPECT_EQ(InferTypes(OpKind::kBatchNormalization, {}, {&x, &p, &p4, &p, &p}).status().code(),
            StatusCode::kInvalidModel);
  ir::Attributes training;
  training.Set("training_mode", int64_t{1});
  EXPECT_EQ(InferTypes(OpKind::kBatchNormalization, training, {&x, &p, &p, &p, &p}).status().code(),
            StatusCode::kUnsupported);
  ir::TensorType xi = Type(DataType::kInt32, {1, 3});
  EXPECT_EQ(InferTypes(OpKind::kBatchNormalization, {}, {&xi, &p, &p, &p, &p}).status().code(),
            StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
