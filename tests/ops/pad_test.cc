#include <gtest/gtest.h>

#include <limits>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

ir::Attributes Mode(const std::string& m) {
  ir::Attributes a;
  a.Set("mode", m);
  return a;
}

TEST(PadTest, ConstantWithValue) {
  Tensor x = F32({2, 2}, {1, 2, 3, 4});
  Tensor pads = I64({4}, {0, 1, 1, 0});  // one column before, one row after
  Tensor value = F32({}, {9});
  auto r = RunOp(OpKind::kPad, {&x, &pads, &value});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{9, 1, 2, 9, 3, 4, 9, 9, 9}));
  EXPECT_EQ(RunValues(OpKind::kPad, {&x, &pads}), (std::vector<double>{0, 1, 2, 0, 3, 4, 0, 0, 0}));
}

TEST(PadTest, ReflectAndEdge) {
  Tensor x = F32({1, 3}, {1, 2, 3});
  Tensor pads = I64({4}, {0, 2, 0, 2});
  EXPECT_EQ(RunValues(OpKind::kPad, {&x, &pads}, Mode("reflect")),
            (std::vector<double>{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(RunValues(OpKind::kPad, {&x, &pads}, Mode("edge")), (std::vector<double>{1, 1, 1, 2, 3, 3, 3}));
  EXPECT_EQ(RunValues(OpKind::kPad, {&x, &pads}, Mode("wrap")), (std::vector<double>{2, 3, 1, 2, 3, 1, 2}));
}

TEST(PadTest, NegativePadsCrop) {
  Tensor x = I32({4}, {1, 2, 3, 4});
  Tensor pads = I64({2}, {-1, 1});
  EXPECT_EQ(RunValues(OpKind::kPad, {&x, &pads}), (std::vector<double>{2, 3, 4, 0}));
}

TEST(PadTest, RejectsBadPads) {
  Tensor x = F32({2}, {1, 2});
  Tensor short_pads = I64({1}, {1});
  EXPECT_EQ(RunOp(OpKind::kPad, {&x, &short_pads}).status().code(), StatusCode::kInvalidModel);
  Tensor crop = I64({2}, {-2, -1});
  EXPECT_EQ(RunOp(OpKind::kPad, {&x, &crop}).status().code(), StatusCode::kInvalidModel);
  Tensor pads = I64({2}, {1, 1});
  EXPECT_EQ(RunOp(OpKind::kPad, {&x, &pads}, Mode("mirror")).status().code(), StatusCode::kUnsupported);
  Tensor huge = I64({2}, {0, 0});
  huge.data<int64_t>()[0] = huge.data<int64_t>()[1] = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(RunOp(OpKind::kPad, {&x, &huge}).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
