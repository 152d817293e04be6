#include <gtest/gtest.h>

#include <cmath>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

std::vector<double> SoftmaxOf(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += std::exp(x);
  std::vector<double> out;
  for (double x : v) out.push_back(std::exp(x) / sum);
  return out;
}

TEST(Softmax, DefaultLastAxis) {
  Tensor x = F32({2, 3}, {1, 2, 3, 0, 0, 0});
  std::vector<double> want = SoftmaxOf({1, 2, 3});
  want.insert(want.end(), {1.0 / 3, 1.0 / 3, 1.0 / 3});
  ExpectTensor(Run1(OpKind::kSoftmax, {}, {&x}), {2, 3}, want);
}

TEST(Softmax, LargeInputsAreStable) {
  Tensor x = F32({2}, {1000, 1001});
  // e^0 / (e^0 + e^1) and e^1 / (e^0 + e^1).
  ExpectTensor(Run1(OpKind::kSoftmax, {}, {&x}), {2}, SoftmaxOf({0, 1}));
  ExpectTensor(Run1(OpKind::kLogSoftmax, {}, {&x}), {2},
               {-std::log(1 + std::exp(1.0)), 1 - std::log(1 + std::exp(1.0))});
}

TEST(Softmax, AxisZero) {
  Tensor x = F32({2, 2}, {0, 1, std::log(3.0), 1});
  ir::Attributes a;
  a.Set("axis", int64_t{0});
  // Column 0: [e^0, 3] / 4; column 1: equal.
  ExpectTensor(Run1(OpKind::kSoftmax, a, {&x}), {2, 2}, {0.25, 0.5, 0.75, 0.5});
}

TEST(Softmax, Coerce2dFlattensTrailingDims) {
  Tensor x = F32({1, 2, 2}, {0, 0, 0, std::log(5.0)});
  ir::Attributes coerce;
  coerce.Set("coerce_2d", int64_t{1});  // default axis 1: one row of 4 values
  ExpectTensor(Run1(OpKind::kSoftmax, coerce, {&x}), {1, 2, 2}, {0.125, 0.125, 0.125, 0.625});
  ir::Attributes single;
  single.Set("axis", int64_t{1});  // opset 13: softmax along dim 1 only
  ExpectTensor(Run1(OpKind::kSoftmax, single, {&x}), {1, 2, 2}, {0.5, 1.0 / 6, 0.5, 5.0 / 6});
  ExpectTensor(Run1(OpKind::kLogSoftmax, coerce, {&x}), {1, 2, 2},
               {-std::log(8.0), -std::log(8.0), -std::log(8.0), std::log(5.0 / 8)});
}

TEST(Softmax, InferAndErrors) {
  ir::TensorType x = Type(DataType::kFloat32, {-1, 10});
  auto r = InferTypes(OpKind::kSoftmax, {}, {&x});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (std::vector<int64_t>{-1, 10}));
  ir::Attributes a;
  a.Set("axis", int64_t{2});
  EXPECT_EQ(InferTypes(OpKind::kSoftmax, a, {&x}).status().code(), StatusCode::kInvalidModel);
  ir::TensorType xi = Type(DataType::kInt32, {2});
  EXPECT_EQ(InferTypes(OpKind::kLogSoftmax, {}, {&xi}).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
