// ConvInteger: golden values worked out by hand from the convolution of
// (x - x_zp) with (w - w_zp), padding contributing 0.
#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using V = std::vector<double>;
constexpr OpKind kOp = OpKind::kConvInteger;

Tensor X3x3() { return MakeTensor(DataType::kUInt8, {1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10}); }

TEST(ConvInteger, WithoutPadding) {
  // x - 1 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]; 2x2 box sums: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
  Tensor x = X3x3();
  Tensor w = MakeTensor(DataType::kUInt8, {1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor x_zp = Scalar(DataType::kUInt8, 1);
  Tensor y = RunOk(kOp, {}, {&x, &w, &x_zp}, DataType::kInt32, {1, 1, 2, 2});
  EXPECT_EQ(Values(y), (V{12, 16, 24, 28}));
}

TEST(ConvInteger, WithPadding) {
  // Padding of 1 on every side: corners see one element, edges two, the center four.
  Tensor x = X3x3();
  Tensor w = MakeTensor(DataType::kUInt8, {1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor x_zp = Scalar(DataType::kUInt8, 1);
  ir::Attributes attrs;
  attrs.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  Tensor y = RunOk(kOp, attrs, {&x, &w, &x_zp}, DataType::kInt32, {1, 1, 4, 4});
  EXPECT_EQ(Values(y), (V{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}));
}

TEST(ConvInteger, GroupedStrided1DWithPerChannelWeightZeroPoint) {
  // x - 1: channel 0 [0, 1, 2, 3], channel 1 [4, 5, 6, 7]. w - [0, 1]: w0 = [1, 2], w1 = [2, 3].
  // group 2, stride 2: out0 = [0*1 + 1*2, 2*1 + 3*2], out1 = [4*2 + 5*3, 6*2 + 7*3].
  Tensor x = MakeTensor(DataType::kUInt8, {1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor w = MakeTensor(DataType::kUInt8, {2, 1, 2}, {1, 2, 3, 4});
  Tensor x_zp = Scalar(DataType::kUInt8, 1);
  Tensor w_zp = MakeTensor(DataType::kUInt8, {2}, {0, 1});
  ir::Attributes attrs;
  attrs.Set("group", int64_t{2});
  attrs.Set("strides", std::vector<int64_t>{2});
  Tensor y = RunOk(kOp, attrs, {&x, &w, &x_zp, &w_zp}, DataType::kInt32, {1, 2, 2});
  EXPECT_EQ(Values(y), (V{2, 8, 23, 33}));
}

TEST(ConvInteger, AutoPadSame) {
  // w = [[1, 0], [0, 1]] adds x[i][j] and x[i+1][j+1]. One row/column of padding in total:
  // SAME_UPPER puts it at the end, SAME_LOWER at the beginning (then x[i-1][j-1] + x[i][j]).
  Tensor x = MakeTensor(DataType::kInt8, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = MakeTensor(DataType::kInt8, {1, 1, 2, 2}, {1, 0, 0, 1});
  ir::Attributes upper;
  upper.Set("auto_pad", std::string("SAME_UPPER"));
  EXPECT_EQ(Values(RunOk(kOp, upper, {&x, &w}, DataType::kInt32, {1, 1, 3, 3})),
            (V{6, 8, 3, 12, 14, 6, 7, 8, 9}));
  ir::Attributes lower;
  lower.Set("auto_pad", std::string("SAME_LOWER"));
  EXPECT_EQ(Values(RunOk(kOp, lower, {&x, &w}, DataType::kInt32, {1, 1, 3, 3})),
            (V{1, 2, 3, 4, 6, 8, 7, 12, 14}));
  ir::Attributes valid;
  valid.Set("auto_pad", std::string("VALID"));
  valid.Set("pads", std::vector<int64_t>{5, 5, 5, 5});  // ignored under VALID
  EXPECT_EQ(Values(RunOk(kOp, valid, {&x, &w}, DataType::kInt32, {1, 1, 2, 2})), (V{6, 8, 12, 14}));
}

TEST(ConvInteger, Dilation) {
  // Dilation 2 spreads the 2x2 kernel over the corners of the 3x3 input: x[0][0] + x[2][2] = 1 + 9.
  Tensor x = MakeTensor(DataType::kInt8, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = MakeTensor(DataType::kInt8, {1, 1, 2, 2}, {1, 0, 0, 1});
  ir::Attributes attrs;
  attrs.Set("dilations", std::vector<int64_t>{2, 2});
  attrs.Set("kernel_shape", std::vector<int64_t>{2, 2});
  EXPECT_EQ(Values(RunOk(kOp, attrs, {&x, &w}, DataType::kInt32, {1, 1, 1, 1})), (V{10}));
}

TEST(ConvInteger, ThreeSpatialDimsAndBatch) {
  // A 2x2x2 box of ones sums each sample: 1..8 = 36, and with -1 .. -8 = -36.
  Tensor x =
      MakeTensor(DataType::kInt8, {2, 1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8});
  Tensor w = MakeTensor(DataType::kInt8, {1, 1, 2, 2, 2}, {1, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(Values(RunOk(kOp, {}, {&x, &w}, DataType::kInt32, {2, 1, 1, 1, 1})), (V{36, -36}));
}

TEST(ConvInteger, Rejections) {
  Tensor x = MakeTensor(DataType::kUInt8, {1, 2, 3, 3}, {});
  Tensor w = MakeTensor(DataType::kUInt8, {1, 2, 2, 2}, {});
  Tensor w_bad_c = MakeTensor(DataType::kUInt8, {1, 3, 2, 2}, {});
  Tensor w_big = MakeTensor(DataType::kUInt8, {1, 2, 4, 4}, {});
  Tensor xf = MakeTensor(DataType::kFloat32, {1, 2, 3, 3}, {});
  Tensor zp2 = MakeTensor(DataType::kUInt8, {2}, {});
  ASSERT_EQ(RunCode(kOp, {}, {&x, &w}), StatusCode::kOk);
  EXPECT_EQ(RunCode(kOp, {}, {&x, &w_bad_c}), StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, {}, {&x, &w_big}), StatusCode::kInvalidModel);  // kernel larger than input
  EXPECT_EQ(RunCode(kOp, {}, {&xf, &w}), StatusCode::kUnsupported);
  EXPECT_EQ(RunCode(kOp, {}, {&x, &w, &zp2}), StatusCode::kUnsupported);  // x zero point per channel
  EXPECT_EQ(RunCode(kOp, {}, {&x, &w, nullptr, &zp2}), StatusCode::kInvalidModel);  // M is 1
  auto with = [](const char* name, ir::Attribute value) {
    ir::Attributes a;
    a.Set(name, std::move(value));
    return a;
  };
  EXPECT_EQ(RunCode(kOp, with("pads", std::vector<int64_t>{1, 1}), {&x, &w}), StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, with("pads", std::vector<int64_t>{-1, 0, 0, 0}), {&x, &w}),
            StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, with("strides", std::vector<int64_t>{0, 1}), {&x, &w}), StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, with("kernel_shape", std::vector<int64_t>{3, 3}), {&x, &w}),
            StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, with("auto_pad", std::string("SAME")), {&x, &w}), StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, with("group", int64_t{0}), {&x, &w}), StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, with("dilations", std::vector<int64_t>{int64_t{1} << 40, 1}), {&x, &w}),
            StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
