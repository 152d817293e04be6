#include <gtest/gtest.h>

#include "op_test_helpers.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(TransposeTest, DefaultReversesDims) {
  Tensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = RunOp(OpKind::kTranspose, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(Values(r.value()), (std::vector<double>{1, 4, 2, 5, 3, 6}));
}

TEST(TransposeTest, Perm3DMatchesIndexFormula) {
  // x[i][j][k] = 100i + 10j + k; out[a][b][c] = x[perm^-1...]: with perm
  // (2, 0, 1), out[k][i][j] = x[i][j][k].
  std::vector<double> v;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) v.push_back(100 * i + 10 * j + k);
  Tensor x = MakeTensor(DataType::kInt64, {2, 3, 4}, v);
  ir::Attributes a;
  a.Set("perm", std::vector<int64_t>{2, 0, 1});
  auto r = RunOp(OpKind::kTranspose, {&x}, a);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dims(), (std::vector<int64_t>{4, 2, 3}));
  std::vector<double> want;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) want.push_back(100 * i + 10 * j + k);
  EXPECT_EQ(Values(r.value()), want);
}

TEST(TransposeTest, RejectsBadPerm) {
  Tensor x = F32({2, 3}, {});
  ir::Attributes a;
  a.Set("perm", std::vector<int64_t>{0, 0});
  EXPECT_EQ(RunOp(OpKind::kTranspose, {&x}, a).status().code(), StatusCode::kInvalidModel);
  a.Set("perm", std::vector<int64_t>{0, 1, 2});
  EXPECT_EQ(RunOp(OpKind::kTranspose, {&x}, a).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing

namespace qforge::testing {
namespace {

TEST(TransposeTest, PerTensorQuantParamsPassThrough) {
  Tensor x = MakeTensor(DataType::kInt8, {1, 2}, {-3, 5});
  QuantParams q;
  q.scale = {0.5f};
  q.zero_point = {1};
  x.set_quant(q);
  auto r = RunOp(OpKind::kTranspose, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->quant(), q);
  EXPECT_EQ(Values(r.value()), (std::vector<double>{-3, 5}));
  QuantParams per_axis = q;
  per_axis.axis = 1;
  per_axis.scale = {0.5f, 0.25f};
  per_axis.zero_point = {0, 0};
  x.set_quant(per_axis);
  auto p = RunOp(OpKind::kTranspose, {&x});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->quant().empty());  // the axis moved: not carried
}

}  // namespace
}  // namespace qforge::testing
