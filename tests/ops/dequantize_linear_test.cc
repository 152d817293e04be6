// DequantizeLinear: golden values worked out by hand from y = (x - zero_point) * scale.
#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using V = std::vector<double>;
constexpr OpKind kOp = OpKind::kDequantizeLinear;

TEST(DequantizeLinear, PerTensorUint8) {
  Tensor x = MakeTensor(DataType::kUInt8, {4}, {0, 3, 128, 255});
  Tensor scale = Scalar(DataType::kFloat32, 2);
  Tensor zp = Scalar(DataType::kUInt8, 128);
  Tensor y = RunOk(kOp, {}, {&x, &scale, &zp}, DataType::kFloat32, {4});
  EXPECT_EQ(Values(y), (V{-256, -250, 0, 254}));
}

TEST(DequantizeLinear, Int8WithoutZeroPoint) {
  Tensor x = MakeTensor(DataType::kInt8, {2, 2}, {-128, 127, 0, -1});
  Tensor scale = MakeTensor(DataType::kFloat32, {1}, {0.5});
  Tensor y = RunOk(kOp, {}, {&x, &scale}, DataType::kFloat32, {2, 2});
  EXPECT_EQ(Values(y), (V{-64, 63.5, 0, -0.5}));
}

TEST(DequantizeLinear, Int32AndInt16) {
  Tensor x = MakeTensor(DataType::kInt32, {3}, {100000, -7, -2147483648.0});
  Tensor scale = Scalar(DataType::kFloat32, 0.5);
  Tensor y = RunOk(kOp, {}, {&x, &scale}, DataType::kFloat32, {3});
  EXPECT_EQ(Values(y), (V{50000, -3.5, -1073741824}));
  Tensor x16 = MakeTensor(DataType::kInt16, {2}, {-32768, 32767});
  Tensor zp16 = Scalar(DataType::kInt16, -1);
  Tensor y16 = RunOk(kOp, {}, {&x16, &scale, &zp16}, DataType::kFloat32, {2});
  EXPECT_EQ(Values(y16), (V{-16383.5, 16384}));
}

TEST(DequantizeLinear, PerAxis) {
  // The inverse of QuantizeLinear.PerAxisDefaultAxis1: channel c is (x - zp[c]) * scale[c].
  Tensor x = MakeTensor(DataType::kUInt8, {1, 3, 3, 2},
                        {3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99, 4, 142, 121, 102});
  Tensor scale = MakeTensor(DataType::kFloat32, {3}, {2, 4, 5});
  Tensor zp = MakeTensor(DataType::kUInt8, {3}, {84, 24, 196});
  Tensor y = RunOk(kOp, {}, {&x, &scale, &zp}, DataType::kFloat32, {1, 3, 3, 2});
  EXPECT_EQ(Values(y),
            (V{-162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245, -485, -960, -270, -375, -470}));
}

TEST(DequantizeLinear, PerAxisLastAxis) {
  Tensor x = MakeTensor(DataType::kInt8, {2, 2}, {1, 1, 3, 3});
  Tensor scale = MakeTensor(DataType::kFloat32, {2}, {1, 0.25});
  Tensor zp = MakeTensor(DataType::kInt8, {2}, {0, -1});
  ir::Attributes attrs;
  attrs.Set("axis", int64_t{-1});
  Tensor y = RunOk(kOp, attrs, {&x, &scale, &zp}, DataType::kFloat32, {2, 2});
  EXPECT_EQ(Values(y), (V{1, 0.5, 3, 1}));
}

TEST(DequantizeLinear, Rejections) {
  Tensor xf = MakeTensor(DataType::kFloat32, {2}, {});
  Tensor x = MakeTensor(DataType::kUInt8, {2, 3}, {});
  Tensor scale = Scalar(DataType::kFloat32, 1);
  Tensor zp_i8 = Scalar(DataType::kInt8, 0);
  Tensor scale2 = MakeTensor(DataType::kFloat32, {2}, {1, 1});
  EXPECT_EQ(RunCode(kOp, {}, {&xf, &scale}), StatusCode::kUnsupported);
  EXPECT_EQ(RunCode(kOp, {}, {&x, &scale, &zp_i8}), StatusCode::kInvalidModel);  // zp dtype != x dtype
  EXPECT_EQ(RunCode(kOp, {}, {&x, &scale2}), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
