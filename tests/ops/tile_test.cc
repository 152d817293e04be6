#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(TileTest, RepeatsEachAxis) {
  Tensor x = F32({2, 2}, {1, 2, 3, 4});
  Tensor repeats = I64({2}, {2, 3});
  auto r = RunOp(OpKind::kTile, {&x, &repeats});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(Values(r.value()),
            (std::vector<double>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
}

TEST(TileTest, ZeroRepeatAndBadLength) {
  Tensor x = F32({2}, {1, 2});
  Tensor zero = I64({1}, {0});
  auto r = RunOp(OpKind::kTile, {&x, &zero});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{0}));
  Tensor two = I64({2}, {1, 1});
  EXPECT_EQ(RunOp(OpKind::kTile, {&x, &two}).status().code(), StatusCode::kInvalidModel);
}

TEST(TileTest, EmptyOutputWithHugeDimDoesNoWork) {
  Tensor x = F32({0, 1}, {});
  Tensor repeats = I64({2}, {1, 1000000000000000});
  auto r = RunOp(OpKind::kTile, {&x, &repeats});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{0, 1000000000000000}));
}

}  // namespace
}  // namespace qforge::testing
