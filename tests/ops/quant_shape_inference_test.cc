// Shape inference of the quantization ops without input data, including
// dynamic dims (kDynamicDim) and unknown ranks.
#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

constexpr int64_t kDyn = ir::kDynamicDim;

ir::TensorType Type(DataType dtype, std::vector<int64_t> dims) {
  return ops::MakeType(dtype, std::move(dims));
}

ir::TensorType UnknownRank(DataType dtype) {
  ir::TensorType t;
  t.dtype = dtype;
  return t;
}

TEST(QuantShapeInference, QuantizeAndDequantizeKeepDims) {
  ir::TensorType x = Type(DataType::kFloat32, {kDyn, 3, kDyn});
  ir::TensorType scale = Type(DataType::kFloat32, {3});
  ir::TensorType zp = Type(DataType::kInt8, {3});
  Result<std::vector<ir::TensorType>> q = InferTypes(OpKind::kQuantizeLinear, {}, {&x, &scale, &zp});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->at(0).dtype, DataType::kInt8);
  EXPECT_EQ(q->at(0).dims, (std::vector<int64_t>{kDyn, 3, kDyn}));

  ir::TensorType xq = Type(DataType::kUInt8, {kDyn, kDyn});
  ir::TensorType zp_u8 = Type(DataType::kUInt8, {3});
  Result<std::vector<ir::TensorType>> d = InferTypes(OpKind::kDequantizeLinear, {}, {&xq, &scale, &zp_u8});
  ASSERT_TRUE(d.ok()) << d.status().ToString();  // the channel dim is unknown: accepted
  EXPECT_EQ(d->at(0).dtype, DataType::kFloat32);
  EXPECT_EQ(d->at(0).dims, (std::vector<int64_t>{kDyn, kDyn}));
}

TEST(QuantShapeInference, DynamicQuantizeLinearOutputs) {
  ir::TensorType x = Type(DataType::kFloat32, {kDyn, 4});
  Result<std::vector<ir::TensorType>> r = InferTypes(OpKind::kDynamicQuantizeLinear, {}, {&x}, {}, 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kUInt8);
  EXPECT_EQ(r->at(0).dims, (std::vector<int64_t>{kDyn, 4}));
  EXPECT_TRUE(r->at(1).rank_known);
  EXPECT_EQ(r->at(1).rank(), 0);
  EXPECT_EQ(r->at(2).dtype, DataType::kUInt8);
}

TEST(QuantShapeInference, QLinearConvDynamicBatchAndHeight) {
  ir::TensorType x = Type(DataType::kUInt8, {kDyn, 3, kDyn, 8});
  ir::TensorType w = Type(DataType::kInt8, {4, 3, 3, 3});
  ir::TensorType s = Type(DataType::kFloat32, {});
  ir::TensorType ws = Type(DataType::kFloat32, {4});
  ir::TensorType xzp = Type(DataType::kUInt8, {});
  ir::TensorType wzp = Type(DataType::kInt8, {4});
  ir::TensorType yzp = Type(DataType::kInt8, {});
  ir::Attributes attrs;
  attrs.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  attrs.Set("strides", std::vector<int64_t>{1, 2});
  Result<std::vector<ir::TensorType>> r =
      InferTypes(OpKind::kQLinearConv, attrs, {&x, &s, &xzp, &w, &ws, &wzp, &s, &yzp});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kInt8);
  // Width: (8 + 2 - 3) / 2 + 1 = 4.
  EXPECT_EQ(r->at(0).dims, (std::vector<int64_t>{kDyn, 4, kDyn, 4}));
}

TEST(QuantShapeInference, ConvIntegerAutoPadSameWithStride) {
  ir::TensorType x = Type(DataType::kUInt8, {1, 1, 7, kDyn});
  ir::TensorType w = Type(DataType::kUInt8, {2, 1, 3, 3});
  ir::Attributes attrs;
  attrs.Set("auto_pad", std::string("SAME_UPPER"));
  attrs.Set("strides", std::vector<int64_t>{2, 2});
  Result<std::vector<ir::TensorType>> r = InferTypes(OpKind::kConvInteger, attrs, {&x, &w});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kInt32);
  EXPECT_EQ(r->at(0).dims, (std::vector<int64_t>{1, 2, 4, kDyn}));  // ceil(7 / 2) = 4
}

TEST(QuantShapeInference, UnknownRankGivesUnknownRank) {
  ir::TensorType x = UnknownRank(DataType::kUInt8);
  ir::TensorType w = Type(DataType::kUInt8, {2, 1, 3, 3});
  Result<std::vector<ir::TensorType>> r = InferTypes(OpKind::kConvInteger, {}, {&x, &w});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kInt32);
  EXPECT_FALSE(r->at(0).rank_known);
  ir::TensorType b = Type(DataType::kUInt8, {3, 2});
  r = InferTypes(OpKind::kMatMulInteger, {}, {&x, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->at(0).rank_known);
}

TEST(QuantShapeInference, MatMulsWithDynamicDims) {
  ir::TensorType a = Type(DataType::kUInt8, {kDyn, 5, 4});
  ir::TensorType b = Type(DataType::kInt8, {4, 6});
  ir::TensorType s = Type(DataType::kFloat32, {});
  ir::TensorType azp = Type(DataType::kUInt8, {});
  ir::TensorType bzp = Type(DataType::kInt8, {});
  ir::TensorType yzp = Type(DataType::kUInt8, {});
  Result<std::vector<ir::TensorType>> r =
      InferTypes(OpKind::kQLinearMatMul, {}, {&a, &s, &azp, &b, &s, &bzp, &s, &yzp});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dtype, DataType::kUInt8);
  EXPECT_EQ(r->at(0).dims, (std::vector<int64_t>{kDyn, 5, 6}));

  ir::TensorType a2 = Type(DataType::kInt8, {2, kDyn});
  ir::TensorType b2 = Type(DataType::kInt8, {kDyn, 3});
  r = InferTypes(OpKind::kMatMulInteger, {}, {&a2, &b2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at(0).dims, (std::vector<int64_t>{2, 3}));
  ir::TensorType b3 = Type(DataType::kInt8, {4, 3});
  ir::TensorType a3 = Type(DataType::kInt8, {2, 5});
  EXPECT_EQ(InferTypes(OpKind::kMatMulInteger, {}, {&a3, &b3}).status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
