#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

// float32 transcendental functions are within a few ulps of the exact value.
constexpr double kTranscendentalTol = 1e-6;

void ExpectNear(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

TEST(UnaryTest, PiecewiseLinearActivations) {
  Tensor x = F32({5}, {-6, -1, 0, 1, 6});
  EXPECT_EQ(RunValues(OpKind::kRelu, {&x}), (std::vector<double>{0, 0, 0, 1, 6}));
  ExpectNear(RunValues(OpKind::kLeakyRelu, {&x}), {-0.06, -0.01, 0, 1, 6}, 1e-7);
  ir::Attributes a;
  a.Set("alpha", 0.5f);
  ExpectNear(RunValues(OpKind::kLeakyRelu, {&x}, a), {-3, -0.5, 0, 1, 6}, 0);
  // HardSigmoid default alpha 0.2, beta 0.5: clamp(0.2x + 0.5, 0, 1).
  ExpectNear(RunValues(OpKind::kHardSigmoid, {&x}), {0, 0.3, 0.5, 0.7, 1}, 1e-7);
  // HardSwish: x * clamp(x/6 + 0.5, 0, 1).
  ExpectNear(RunValues(OpKind::kHardSwish, {&x}), {0, -1.0 / 3, 0, 2.0 / 3, 6}, 1e-7);
  EXPECT_EQ(RunValues(OpKind::kAbs, {&x}), (std::vector<double>{6, 1, 0, 1, 6}));
  EXPECT_EQ(RunValues(OpKind::kNeg, {&x}), (std::vector<double>{6, 1, 0, -1, -6}));
}

TEST(UnaryTest, TranscendentalsAgainstLibm) {
  Tensor x = F32({4}, {-2, -0.5, 0.25, 3});
  std::vector<double> sig, tanh, erf, exp;
  for (double v : {-2.0, -0.5, 0.25, 3.0}) {
    sig.push_back(1 / (1 + std::exp(-v)));
    tanh.push_back(std::tanh(v));
    erf.push_back(std::erf(v));
    exp.push_back(std::exp(v));
  }
  ExpectNear(RunValues(OpKind::kSigmoid, {&x}), sig, kTranscendentalTol);
  ExpectNear(RunValues(OpKind::kTanh, {&x}), tanh, kTranscendentalTol);
  ExpectNear(RunValues(OpKind::kErf, {&x}), erf, kTranscendentalTol);
  ExpectNear(RunValues(OpKind::kExp, {&x}), exp, 20 * kTranscendentalTol);
  Tensor p = F32({3}, {4, 0.25, 1});
  ExpectNear(RunValues(OpKind::kSqrt, {&p}), {2, 0.5, 1}, 0);
  ExpectNear(RunValues(OpKind::kLog, {&p}), {std::log(4.0), std::log(0.25), 0}, kTranscendentalTol);
  ExpectNear(RunValues(OpKind::kReciprocal, {&p}), {0.25, 4, 1}, 0);
}

TEST(UnaryTest, SigmoidSaturatesWithoutNaN) {
  Tensor x = F32({2}, {-1000, 1000});
  EXPECT_EQ(RunValues(OpKind::kSigmoid, {&x}), (std::vector<double>{0, 1}));
}

TEST(UnaryTest, IntegerAbsNegRelu) {
  Tensor x = I32({3}, {-5, 0, 7});
  EXPECT_EQ(RunValues(OpKind::kAbs, {&x}), (std::vector<double>{5, 0, 7}));
  EXPECT_EQ(RunValues(OpKind::kNeg, {&x}), (std::vector<double>{5, 0, -7}));
  EXPECT_EQ(RunValues(OpKind::kRelu, {&x}), (std::vector<double>{0, 0, 7}));
  Tensor lo = I64({1}, {0});
  lo.data<int64_t>()[0] = std::numeric_limits<int64_t>::min();
  auto r = RunOp(OpKind::kNeg, {&lo});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data<int64_t>()[0], std::numeric_limits<int64_t>::min());  // wraps, no UB
}

TEST(UnaryTest, FloatOnlyOpsRejectIntegers) {
  Tensor x = I32({1}, {1});
  EXPECT_EQ(RunOp(OpKind::kSigmoid, {&x}).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(RunOp(OpKind::kSqrt, {&x}).status().code(), StatusCode::kUnsupported);
}

TEST(UnaryTest, IdentityCopiesAnyDtype) {
  Tensor x = MakeTensor(DataType::kInt8, {2, 2}, {-1, 2, -3, 4});
  auto r = RunOp(OpKind::kIdentity, {&x});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dtype(), DataType::kInt8);
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{-1, 2, -3, 4}));
}

TEST(UnaryTest, DropoutIsIdentityWithAllTrueMask) {
  Tensor x = F32({3}, {1, -2, 3});
  Tensor ratio = F32({}, {0.5});
  auto r = RunSingleOp(OpKind::kDropout, {}, {&x, &ratio}, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values((*r)[0]), (std::vector<double>{1, -2, 3}));
  EXPECT_EQ((*r)[1].dtype(), DataType::kBool);
  EXPECT_EQ(Values((*r)[1]), (std::vector<double>{1, 1, 1}));
}

TEST(UnaryTest, DropoutTrainingModeIsUnsupported) {
  Tensor x = F32({1}, {1});
  Tensor training = MakeTensor(DataType::kBool, {}, {1});
  auto r = RunSingleOp(OpKind::kDropout, {}, {&x, nullptr, &training}, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  Tensor inference = MakeTensor(DataType::kBool, {}, {0});
  EXPECT_TRUE(RunSingleOp(OpKind::kDropout, {}, {&x, nullptr, &inference}, 1).ok());
}

TEST(UnaryTest, Float16Exp) {
  Tensor x = MakeTensor(DataType::kFloat16, {2}, {0, 1});
  auto r = RunOp(OpKind::kExp, {&x});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dtype(), DataType::kFloat16);
  // e rounded to float16 (10-bit mantissa): 2.71875.
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 2.71875}));
}

TEST(UnaryTest, UnknownRankPropagates) {
  ir::TensorType in;
  in.dtype = DataType::kFloat32;
  auto r = InferTypes(OpKind::kRelu, {}, {&in}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)[0].rank_known);
  EXPECT_EQ((*r)[0].dtype, DataType::kFloat32);
}

}  // namespace
}  // namespace qforge::testing
