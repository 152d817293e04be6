#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(SplitTest, EqualPartsAlongAxis1) {
  Tensor x = F32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  ir::Attributes a;
  a.Set("axis", int64_t{1});
  auto r = RunSingleOp(OpKind::kSplit, a, {&x}, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Values((*r)[0]), (std::vector<double>{1, 2, 5, 6}));
  EXPECT_EQ(Values((*r)[1]), (std::vector<double>{3, 4, 7, 8}));
}

TEST(SplitTest, ExplicitSizesIncludingZero) {
  Tensor x = I64({5}, {1, 2, 3, 4, 5});
  Tensor split = I64({3}, {2, 0, 3});
  auto r = RunSingleOp(OpKind::kSplit, {}, {&x, &split}, 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values((*r)[0]), (std::vector<double>{1, 2}));
  EXPECT_EQ((*r)[1].dims(), (std::vector<int64_t>{0}));
  EXPECT_EQ(Values((*r)[2]), (std::vector<double>{3, 4, 5}));
}

TEST(SplitTest, NumOutputsGivesSmallerLastChunk) {
  Tensor x = F32({5}, {1, 2, 3, 4, 5});
  ir::Attributes a;
  a.Set("num_outputs", int64_t{3});
  auto r = RunSingleOp(OpKind::kSplit, a, {&x}, 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values((*r)[0]), (std::vector<double>{1, 2}));
  EXPECT_EQ(Values((*r)[1]), (std::vector<double>{3, 4}));
  EXPECT_EQ(Values((*r)[2]), (std::vector<double>{5}));
}

TEST(SplitTest, RejectsBadSizes) {
  Tensor x = F32({5}, {});
  Tensor split = I64({2}, {2, 2});
  EXPECT_EQ(RunSingleOp(OpKind::kSplit, {}, {&x, &split}, 2).status().code(), StatusCode::kInvalidModel);
  // Without num_outputs the parts must be equal.
  EXPECT_EQ(RunSingleOp(OpKind::kSplit, {}, {&x}, 2).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
