// QuantizeLinear: golden values worked out by hand from
// y = saturate(round_half_even(x / scale) + zero_point).
#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using V = std::vector<double>;
constexpr OpKind kOp = OpKind::kQuantizeLinear;

TEST(QuantizeLinear, PerTensorUint8WithTiesToEven) {
  // 3 / 2 = 1.5 -> 2; 5 / 2 = 2.5 -> 2; -5 / 2 = -2.5 -> -2; 1000 / 2 + 128 saturates to 255; -1000 to 0.
  Tensor x = MakeTensor(DataType::kFloat32, {8}, {0, 2, 3, 5, -5, 1000, -254, -1000});
  Tensor scale = Scalar(DataType::kFloat32, 2);
  Tensor zp = Scalar(DataType::kUInt8, 128);
  Tensor y = RunOk(kOp, {}, {&x, &scale, &zp}, DataType::kUInt8, {8});
  EXPECT_EQ(Values(y), (V{128, 129, 130, 130, 126, 255, 1, 0}));
  // Known parameters travel with the output.
  EXPECT_EQ(y.quant().scale, std::vector<float>{2});
  EXPECT_EQ(y.quant().zero_point, std::vector<int64_t>{128});
  EXPECT_FALSE(y.quant().per_axis());
}

TEST(QuantizeLinear, AbsentZeroPointMeansUint8Zero) {
  // 0.5 -> 0 (even), 1.5 -> 2, 2.5 -> 2, negatives saturate to 0.
  Tensor x = MakeTensor(DataType::kFloat32, {2, 3}, {-1, 0.5, 1.5, 2.5, 254.5, 300});
  Tensor scale = Scalar(DataType::kFloat32, 1);
  Tensor y = RunOk(kOp, {}, {&x, &scale}, DataType::kUInt8, {2, 3});
  EXPECT_EQ(Values(y), (V{0, 0, 2, 2, 254, 255}));
}

TEST(QuantizeLinear, Int8ZeroPoint) {
  // zero point -1: -200 -> -201 -> -128; -2.5 -> -2 - 1 = -3; 2.5 -> 2 - 1 = 1; 3.5 -> 4 - 1 = 3; 200 -> 127.
  Tensor x = MakeTensor(DataType::kFloat32, {5}, {-200, -2.5, 2.5, 3.5, 200});
  Tensor scale = MakeTensor(DataType::kFloat32, {1}, {1});
  Tensor zp = MakeTensor(DataType::kInt8, {1}, {-1});
  Tensor y = RunOk(kOp, {}, {&x, &scale, &zp}, DataType::kInt8, {5});
  EXPECT_EQ(Values(y), (V{-128, -3, 1, 3, 127}));
}

TEST(QuantizeLinear, Int16ZeroPoint) {
  Tensor x = MakeTensor(DataType::kFloat32, {3}, {40000, -1.5, -40000});
  Tensor scale = Scalar(DataType::kFloat32, 1);
  Tensor zp = Scalar(DataType::kInt16, 0);
  Tensor y = RunOk(kOp, {}, {&x, &scale, &zp}, DataType::kInt16, {3});
  EXPECT_EQ(Values(y), (V{32767, -2, -32768}));
}

TEST(QuantizeLinear, PerAxisDefaultAxis1) {
  // Channel c: x / scale[c] + zp[c] (all divisions exact).
  Tensor x = MakeTensor(DataType::kFloat32, {1, 3, 3, 2},
                        {-162, 10, -100, 232, -20, -50,        // / 2 + 84
                         -76, 0, 0, 252, 32, -44,              // / 4 + 24
                         245, -485, -960, -270, -375, -470});  // / 5 + 196
  Tensor scale = MakeTensor(DataType::kFloat32, {3}, {2, 4, 5});
  Tensor zp = MakeTensor(DataType::kUInt8, {3}, {84, 24, 196});
  Tensor y = RunOk(kOp, {}, {&x, &scale, &zp}, DataType::kUInt8, {1, 3, 3, 2});
  EXPECT_EQ(Values(y), (V{3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99, 4, 142, 121, 102}));
}

TEST(QuantizeLinear, PerAxisNegativeAxis) {
  // Columns: /1 + 0, /2 + 10 (5 / 2 = 2.5 -> 2), /4 + 20 (0.75 -> 1, 1.5 -> 2).
  Tensor x = MakeTensor(DataType::kFloat32, {2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor scale = MakeTensor(DataType::kFloat32, {3}, {1, 2, 4});
  Tensor zp = MakeTensor(DataType::kInt8, {3}, {0, 10, 20});
  ir::Attributes attrs;
  attrs.Set("axis", int64_t{-1});
  Tensor y = RunOk(kOp, attrs, {&x, &scale, &zp}, DataType::kInt8, {2, 3});
  EXPECT_EQ(Values(y), (V{1, 11, 21, 4, 12, 22}));
  EXPECT_EQ(y.quant().axis, 1);
  EXPECT_EQ(y.quant().scale, (std::vector<float>{1, 2, 4}));
  EXPECT_EQ(y.quant().zero_point, (std::vector<int64_t>{0, 10, 20}));
}

TEST(QuantizeLinear, PerAxisAxis0) {
  Tensor x = MakeTensor(DataType::kFloat32, {2, 2}, {1, 3, 1, 3});
  Tensor scale = MakeTensor(DataType::kFloat32, {2}, {1, 2});
  ir::Attributes attrs;
  attrs.Set("axis", int64_t{0});
  Tensor y = RunOk(kOp, attrs, {&x, &scale}, DataType::kUInt8, {2, 2});
  EXPECT_EQ(Values(y), (V{1, 3, 0, 2}));  // 0.5 -> 0, 1.5 -> 2
}

TEST(QuantizeLinear, OutputDtypeAttribute) {
  Tensor x = MakeTensor(DataType::kFloat32, {2}, {-3, 3});
  Tensor scale = Scalar(DataType::kFloat32, 1);
  ir::Attributes attrs;
  attrs.Set("output_dtype", int64_t{3});  // ONNX INT8
  Tensor y = RunOk(kOp, attrs, {&x, &scale}, DataType::kInt8, {2});
  EXPECT_EQ(Values(y), (V{-3, 3}));
  attrs.Set("output_dtype", int64_t{1});  // FLOAT
  EXPECT_EQ(RunCode(kOp, attrs, {&x, &scale}), StatusCode::kUnsupported);
  Tensor zp = Scalar(DataType::kUInt8, 0);
  attrs.Set("output_dtype", int64_t{3});
  EXPECT_EQ(RunCode(kOp, attrs, {&x, &scale, &zp}), StatusCode::kInvalidModel);
}

TEST(QuantizeLinear, Rejections) {
  Tensor x = MakeTensor(DataType::kFloat32, {2, 3}, {});
  Tensor xi = MakeTensor(DataType::kInt32, {2, 3}, {});
  Tensor scale = Scalar(DataType::kFloat32, 1);
  Tensor scale_f16 = Scalar(DataType::kFloat16, 1);
  Tensor scale2 = MakeTensor(DataType::kFloat32, {2}, {1, 1});
  Tensor scale2d = MakeTensor(DataType::kFloat32, {3, 1}, {1, 1, 1});
  Tensor zp_i32 = Scalar(DataType::kInt32, 0);
  Tensor zp3 = MakeTensor(DataType::kUInt8, {3}, {0, 0, 0});
  Result<std::vector<Tensor>> r = RunSingleOp(kOp, {}, {&xi, &scale});
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("(QuantizeLinear)"), std::string::npos) << r.status().message();
  EXPECT_EQ(RunCode(kOp, {}, {&x, &scale_f16}), StatusCode::kUnsupported);
  EXPECT_EQ(RunCode(kOp, {}, {&x, &scale, &zp_i32}), StatusCode::kUnsupported);
  EXPECT_EQ(RunCode(kOp, {}, {&x, &scale2}), StatusCode::kInvalidModel);       // axis 1 has 3 elements
  EXPECT_EQ(RunCode(kOp, {}, {&x, &scale2d}), StatusCode::kInvalidModel);      // 2-D scale
  EXPECT_EQ(RunCode(kOp, {}, {&x, &scale, &zp3}), StatusCode::kInvalidModel);  // zp size != scale size
  ir::Attributes bad_axis;
  bad_axis.Set("axis", int64_t{2});
  Tensor scale3 = MakeTensor(DataType::kFloat32, {3}, {1, 1, 1});
  EXPECT_EQ(RunCode(kOp, bad_axis, {&x, &scale3}), StatusCode::kInvalidModel);
  ir::Attributes blocked;
  blocked.Set("block_size", int64_t{2});
  EXPECT_EQ(RunCode(kOp, blocked, {&x, &scale}), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
