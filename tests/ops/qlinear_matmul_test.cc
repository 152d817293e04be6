// QLinearMatMul: golden values worked out by hand from
// y = saturate(round_half_even(acc * a_scale * b_scale / y_scale) + y_zp).
#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using V = std::vector<double>;
constexpr OpKind kOp = OpKind::kQLinearMatMul;

struct QMatMul {
  Tensor a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp;
  std::vector<const Tensor*> inputs() const {
    return {&a, &a_scale, &a_zp, &b, &b_scale, &b_zp, &y_scale, &y_zp};
  }
};

TEST(QLinearMatMul, OnnxExample2D) {
  // Element (0, 0) by hand: a - 113 = (95, 123, -113, 125), b col 0 - 114 = (38, -54, -114, 13):
  // acc = 3610 - 6642 + 12882 + 1625 = 11475; 11475 * 0.0066 * 0.00705 / 0.0107 = 49.9 -> 50; + 118 = 168.
  // The other elements are the ONNX operator documentation's.
  QMatMul q{MakeTensor(DataType::kUInt8, {2, 4}, {208, 236, 0, 238, 3, 214, 255, 29}),
            MakeTensor(DataType::kFloat32, {1}, {0.0066}),
            MakeTensor(DataType::kUInt8, {1}, {113}),
            MakeTensor(DataType::kUInt8, {4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247}),
            MakeTensor(DataType::kFloat32, {1}, {0.00705}),
            MakeTensor(DataType::kUInt8, {1}, {114}),
            MakeTensor(DataType::kFloat32, {1}, {0.0107}),
            MakeTensor(DataType::kUInt8, {1}, {118})};
  Tensor y = RunOk(kOp, {}, q.inputs(), DataType::kUInt8, {2, 3});
  EXPECT_EQ(Values(y), (V{168, 115, 255, 1, 66, 151}));
}

TEST(QLinearMatMul, TiesToEvenAndInt8Output) {
  // B = I, so acc = a; * 0.5 = 0.5, 1, 1.5, 2 -> 0, 1, 2, 2; - 1.
  QMatMul q{MakeTensor(DataType::kUInt8, {2, 2}, {1, 2, 3, 4}),
            Scalar(DataType::kFloat32, 0.5),
            Scalar(DataType::kUInt8, 0),
            MakeTensor(DataType::kUInt8, {2, 2}, {1, 0, 0, 1}),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kUInt8, 0),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kInt8, -1)};
  Tensor y = RunOk(kOp, {}, q.inputs(), DataType::kInt8, {2, 2});
  EXPECT_EQ(Values(y), (V{-1, 0, 1, 1}));
}

TEST(QLinearMatMul, Saturation) {
  // int8 127 * 127 = 16129 -> 255; -128 * 127 = -16256 -> 0.
  QMatMul q{MakeTensor(DataType::kInt8, {2, 1}, {127, -128}),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kInt8, 0),
            MakeTensor(DataType::kInt8, {1, 1}, {127}),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kInt8, 0),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kUInt8, 0)};
  EXPECT_EQ(Values(RunOk(kOp, {}, q.inputs(), DataType::kUInt8, {2, 1})), (V{255, 0}));
  q.y_zp = Scalar(DataType::kInt8, 0);
  EXPECT_EQ(Values(RunOk(kOp, {}, q.inputs(), DataType::kInt8, {2, 1})), (V{127, -128}));
}

TEST(QLinearMatMul, PerColumnAndPerRowScales) {
  // b minus its per-column zero points [0, 1] is all ones, so acc = 2 + 2 = 4 everywhere.
  // Multipliers a_scale[row] * b_scale[col]: [[0.5, 0.25], [1, 0.5]] -> [[2, 1], [4, 2]].
  QMatMul q{MakeTensor(DataType::kUInt8, {2, 2}, {2, 2, 2, 2}),
            MakeTensor(DataType::kFloat32, {2}, {1, 2}),
            MakeTensor(DataType::kUInt8, {2}, {0, 0}),
            MakeTensor(DataType::kUInt8, {2, 2}, {1, 2, 1, 2}),
            MakeTensor(DataType::kFloat32, {2}, {0.5, 0.25}),
            MakeTensor(DataType::kUInt8, {2}, {0, 1}),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kUInt8, 0)};
  EXPECT_EQ(Values(RunOk(kOp, {}, q.inputs(), DataType::kUInt8, {2, 2})), (V{2, 1, 4, 2}));
}

TEST(QLinearMatMul, Batched3D) {
  QMatMul q{MakeTensor(DataType::kUInt8, {2, 2, 4},
                       {208, 236, 0, 238, 3, 214, 255, 29, 208, 236, 0, 238, 3, 214, 255, 29}),
            MakeTensor(DataType::kFloat32, {1}, {0.0066}),
            MakeTensor(DataType::kUInt8, {1}, {113}),
            MakeTensor(DataType::kUInt8, {4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247}),
            MakeTensor(DataType::kFloat32, {1}, {0.00705}),
            MakeTensor(DataType::kUInt8, {1}, {114}),
            MakeTensor(DataType::kFloat32, {1}, {0.0107}),
            MakeTensor(DataType::kUInt8, {1}, {118})};
  Tensor y = RunOk(kOp, {}, q.inputs(), DataType::kUInt8, {2, 2, 3});
  EXPECT_EQ(Values(y), (V{168, 115, 255, 1, 66, 151, 168, 115, 255, 1, 66, 151}));
}

TEST(QLinearMatMul, Rejections) {
  QMatMul q{MakeTensor(DataType::kUInt8, {2, 2}, {}),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kUInt8, 0),
            MakeTensor(DataType::kUInt8, {2, 3}, {}),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kUInt8, 0),
            Scalar(DataType::kFloat32, 1),
            Scalar(DataType::kUInt8, 0)};
  ASSERT_EQ(RunCode(kOp, {}, q.inputs()), StatusCode::kOk);
  QMatMul bad = q;
  bad.y_scale = MakeTensor(DataType::kFloat32, {2}, {1, 1});
  bad.y_zp = MakeTensor(DataType::kUInt8, {2}, {0, 0});
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs()), StatusCode::kUnsupported);
  bad = q;
  bad.b_scale = MakeTensor(DataType::kFloat32, {2}, {1, 1});  // N is 3
  bad.b_zp = MakeTensor(DataType::kUInt8, {2}, {0, 0});
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs()), StatusCode::kInvalidModel);
  bad = q;
  bad.a_zp = Scalar(DataType::kInt8, 0);  // a is uint8
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs()), StatusCode::kInvalidModel);
  bad = q;
  bad.y_zp = Scalar(DataType::kInt32, 0);
  EXPECT_EQ(RunCode(kOp, {}, bad.inputs()), StatusCode::kUnsupported);
  std::vector<const Tensor*> missing = q.inputs();
  missing[7] = nullptr;
  EXPECT_EQ(RunCode(kOp, {}, missing), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace qforge::testing
