#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

Tensor Bools(std::vector<int64_t> dims, const std::vector<double>& v) {
  return MakeTensor(DataType::kBool, std::move(dims), v);
}

TEST(LogicTest, AndOrXorBroadcastTruthTable) {
  Tensor a = Bools({2, 2}, {0, 0, 1, 1});
  Tensor b = Bools({2}, {0, 1});
  auto r = RunOp(OpKind::kAnd, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dtype(), DataType::kBool);
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Values(*r), (std::vector<double>{0, 0, 0, 1}));
  EXPECT_EQ(RunValues(OpKind::kOr, {&a, &b}), (std::vector<double>{0, 1, 1, 1}));
  EXPECT_EQ(RunValues(OpKind::kXor, {&a, &b}), (std::vector<double>{0, 1, 1, 0}));
}

TEST(LogicTest, NotInverts) {
  Tensor a = Bools({3}, {1, 0, 1});
  EXPECT_EQ(RunValues(OpKind::kNot, {&a}), (std::vector<double>{0, 1, 0}));
}

TEST(LogicTest, NonBoolInputsAreRejected) {
  Tensor a = F32({2}, {1, 0});
  Tensor b = Bools({2}, {1, 0});
  EXPECT_EQ(RunOp(OpKind::kAnd, {&a, &b}).status().code(), StatusCode::kInvalidModel);
  EXPECT_EQ(RunOp(OpKind::kNot, {&a}).status().code(), StatusCode::kInvalidModel);
}

TEST(LogicTest, IncompatibleShapesAreRejected) {
  Tensor a = Bools({2}, {1, 0});
  Tensor b = Bools({3}, {1, 0, 1});
  EXPECT_EQ(RunOp(OpKind::kOr, {&a, &b}).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
