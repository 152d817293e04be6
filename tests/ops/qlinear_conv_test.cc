// QLinearConv: golden values worked out by hand from
// y = saturate(round_half_even((acc + B[m]) * x_scale * w_scale[m] / y_scale) + y_zp).
#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using V = std::vector<double>;
constexpr OpKind kOp = OpKind::kQLinearConv;

struct QConv {
  Tensor x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias;
  std::vector<const Tensor*> inputs(bool with_bias) const {
    std::vector<const Tensor*> in = {&x, &x_scale, &x_zp, &w, &w_scale, &w_zp, &y_scale, &y_zp};
    if (with_bias) in.push_back(&bias);
    return in;
  }
};

TEST(QLinearConv, OnnxExample) {
  // 1x1 kernel w = 0 with zero point 255 (w - zp = -255). Element (0, 0) by hand: x - 132 = 123,
  // acc = -31365, * 0.00369204697 * 0.00172794575 / 0.00162681262 = -123.0 -> -123; + 123 = 0.
  // The other elements are the ONNX operator documentation's.
  QConv q{MakeTensor(DataType::kUInt8, {1, 1, 7, 7},
                     {255, 174, 162, 25,  203, 168, 58,  15,  59,  237, 95,  129, 0,  64,  56, 242, 153,
                      221, 168, 12,  166, 232, 178, 186, 195, 237, 162, 237, 188, 39, 124, 77, 80,  102,
                      43,  127, 230, 21,  83,  41,  40,  134, 255, 154, 92,  141, 42, 148, 247}),
          Scalar(DataType::kFloat32, 0.00369204697),
          Scalar(DataType::kUInt8, 132),
          MakeTensor(DataType::kUInt8, {1, 1, 1, 1}, {0}),
          MakeTensor(DataType::kFloat32, {1}, {0.00172794575}),
          MakeTensor(DataType::kUInt8, {1}, {255}),
          Scalar(DataType::kFloat32, 0.00162681262),
          Scalar(DataType::kUInt8, 123),
          {}};
  Tensor y = RunOk(kOp, {}, q.inputs(false), DataType::kUInt8, {1, 1, 7, 7});
  EXPECT_EQ(Values(y), (V{0,   81,  93,  230, 52,  87,  197, 240, 196, 18,  160, 126, 255, 191, 199, 13,  102,
                          34,  87,  243, 89,  23,  77,  69,  60,  18,  93,  18,  67,  216, 131, 178, 175, 153,
                          212, 128, 25,  234, 172, 214, 215, 121, 0,   101, 163, 114, 213, 107, 8}));
}

TEST(QLinearConv, PerChannelWeightsBiasAndTies) {
  // x - 10 = [0, 10, 20, 30]; 1x1 weights [1, -1], scales [1, 0.5], bias [1, -2].
  // Channel 0: (x' + 1) * 0.5 = [0.5, 5.5, 10.5, 15.5] -> [0, 6, 10, 16]; + 5.
  // Channel 1: (-x' - 2) * 0.25 = [-0.5, -3, -5.5, -8] -> [0, -3, -6, -8]; + 5.
  QConv q{MakeTensor(DataType::kUInt8, {1, 1, 2, 2}, {10, 20, 30, 40}),
          Scalar(DataType::kFloat32, 0.5),
          Scalar(DataType::kUInt8, 10),
          MakeTensor(DataType::kInt8, {2, 1, 1, 1}, {1, -1}),
          MakeTensor(DataType::kFloat32, {2}, {1, 0.5}),
          MakeTensor(DataType::kInt8, {2}, {0, 0}),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kInt8, 5),
          MakeTensor(DataType::kInt32, {2}, {1, -2})};
  Tensor y = RunOk(kOp, {}, q.inputs(true), DataType::kInt8, {1, 2, 2, 2});
  EXPECT_EQ(Values(y), (V{5, 11, 15, 21, 5, 2, -1, -3}));
  EXPECT_EQ(y.quant().scale, std::vector<float>{1});
  EXPECT_EQ(y.quant().zero_point, std::vector<int64_t>{5});
}

TEST(QLinearConv, GroupedStridedWithRequantization) {
  // The ConvInteger grouped case (acc [[2, 8], [23, 33]]) with y_scale 2: [1, 4, 11.5 -> 12, 16.5 -> 16].
  QConv q{MakeTensor(DataType::kUInt8, {1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kUInt8, 1),
          MakeTensor(DataType::kUInt8, {2, 1, 2}, {1, 2, 3, 4}),
          MakeTensor(DataType::kFloat32, {2}, {1, 1}),
          MakeTensor(DataType::kUInt8, {2}, {0, 1}),
          Scalar(DataType::kFloat32, 2),
          Scalar(DataType::kUInt8, 0),
          {}};
  ir::Attributes attrs;
  attrs.Set("group", int64_t{2});
  attrs.Set("strides", std::vector<int64_t>{2});
  Tensor y = RunOk(kOp, attrs, q.inputs(false), DataType::kUInt8, {1, 2, 2});
  EXPECT_EQ(Values(y), (V{1, 4, 12, 16}));
}

TEST(QLinearConv, SaturatesAndPadsWithTheZeroPoint) {
  // x - 100 = 27 everywhere but padding (1 on each side, contributing 0); 3x3 kernel of 127:
  // center 9 * 27 * 127 = 30861, corners 4 * 27 * 127 = 13716, all far above 127 -> int8 127.
  // With y_scale 1000: corners 13.716 -> 14, edges 6 * 3429 = 20574 -> 20.574 -> 21, center 30.861 -> 31.
  QConv q{MakeTensor(DataType::kUInt8, {1, 1, 2, 2}, {127, 127, 127, 127}),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kUInt8, 100),
          MakeTensor(DataType::kInt8, {1, 1, 3, 3}, {127, 127, 127, 127, 127, 127, 127, 127, 127}),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kInt8, 0),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kInt8, 0),
          {}};
  ir::Attributes attrs;
  attrs.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  Tensor y = RunOk(kOp, attrs, q.inputs(false), DataType::kInt8, {1, 1, 2, 2});
  EXPECT_EQ(Values(y), (V{127, 127, 127, 127}));
  // Stride 1 with 2x2 input and pad 1: every output sees all 4 inputs (4 * 27 * 127 = 13716).
  q.y_scale = Scalar(DataType::kFloat32, 1000);
  EXPECT_EQ(Values(RunOk(kOp, attrs, q.inputs(false), DataType::kInt8, {1, 1, 2, 2})), (V{14, 14, 14, 14}));
}

TEST(QLinearConv, Rejections) {
  QConv q{MakeTensor(DataType::kUInt8, {1, 1, 3, 3}, {}),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kUInt8, 0),
          MakeTensor(DataType::kUInt8, {2, 1, 1, 1}, {}),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kUInt8, 0),
          Scalar(DataType::kFloat32, 1),
          Scalar(DataType::kUInt8, 0),
          MakeTensor(DataType::kInt32, {2}, {})};
  ASSERT_EQ(RunCode(kOp, {}, q.inputs(true)), StatusCode::kOk);
  QConv bad = q;
  bad.bias = MakeTensor(DataType::kFloat32, {2}, {});
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs(true)), StatusCode::kUnsupported);
  bad = q;
  bad.bias = MakeTensor(DataType::kInt32, {3}, {});
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs(true)), StatusCode::kInvalidModel);
  bad = q;
  bad.x_scale = MakeTensor(DataType::kFloat32, {2}, {1, 1});
  bad.x_zp = MakeTensor(DataType::kUInt8, {2}, {0, 0});
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs(true)), StatusCode::kUnsupported);
  bad = q;
  bad.w_scale = MakeTensor(DataType::kFloat32, {3}, {1, 1, 1});
  bad.w_zp = MakeTensor(DataType::kUInt8, {3}, {0, 0, 0});
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs(true)), StatusCode::kInvalidModel);
  bad = q;
  bad.w_zp = MakeTensor(DataType::kUInt8, {2}, {0, 0});  // scale has 1 element
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs(true)), StatusCode::kInvalidModel);
  std::vector<const Tensor*> missing = q.inputs(true);
  missing[7] = nullptr;
  EXPECT_EQ(RunCode(kOp, {}, missing), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
