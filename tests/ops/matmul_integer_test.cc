// MatMulInteger: golden values worked out by hand from (A - a_zp) x (B - b_zp).
#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using V = std::vector<double>;
constexpr OpKind kOp = OpKind::kMatMulInteger;

TEST(MatMulInteger, ScalarZeroPoints) {
  // Row 0: (11-12, 7-12, 3-12) . (1, 2, 3) = -1 - 10 - 27 = -38; . (4, 5, 6) = -4 - 25 - 54 = -83.
  Tensor a = MakeTensor(DataType::kUInt8, {4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
  Tensor b = MakeTensor(DataType::kUInt8, {3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor a_zp = MakeTensor(DataType::kUInt8, {1}, {12});
  Tensor b_zp = MakeTensor(DataType::kUInt8, {1}, {0});
  Tensor y = RunOk(kOp, {}, {&a, &b, &a_zp, &b_zp}, DataType::kInt32, {4, 2});
  EXPECT_EQ(Values(y), (V{-38, -83, -44, -98, -50, -113, -56, -128}));
}

TEST(MatMulInteger, MixedSignednessWithoutZeroPoints) {
  // [[1, -2], [3, 4]] x [[5, 6], [7, 8]] = [[5 - 14, 6 - 16], [15 + 28, 18 + 32]].
  Tensor a = MakeTensor(DataType::kInt8, {2, 2}, {1, -2, 3, 4});
  Tensor b = MakeTensor(DataType::kUInt8, {2, 2}, {5, 6, 7, 8});
  Tensor y = RunOk(kOp, {}, {&a, &b}, DataType::kInt32, {2, 2});
  EXPECT_EQ(Values(y), (V{-9, -10, 43, 50}));
}

TEST(MatMulInteger, PerRowAndPerColumnZeroPoints) {
  // A - [0, 1] per row = [[1, 2], [2, 3]]; B - [0, 1] per column = [[1, 1], [3, 4]].
  // [[1 + 6, 1 + 8], [2 + 9, 2 + 12]].
  Tensor a = MakeTensor(DataType::kUInt8, {2, 2}, {1, 2, 3, 4});
  Tensor b = MakeTensor(DataType::kUInt8, {2, 2}, {1, 2, 3, 5});
  Tensor a_zp = MakeTensor(DataType::kUInt8, {2}, {0, 1});
  Tensor b_zp = MakeTensor(DataType::kUInt8, {2}, {0, 1});
  Tensor y = RunOk(kOp, {}, {&a, &b, &a_zp, &b_zp}, DataType::kInt32, {2, 2});
  EXPECT_EQ(Values(y), (V{7, 9, 11, 14}));
}

TEST(MatMulInteger, BatchBroadcast) {
  // B = 2 * I broadcast over A's batch of 2.
  Tensor a = MakeTensor(DataType::kInt8, {2, 1, 2}, {1, 2, 3, -4});
  Tensor b = MakeTensor(DataType::kInt8, {1, 2, 2}, {2, 0, 0, 2});
  Tensor y = RunOk(kOp, {}, {&a, &b}, DataType::kInt32, {2, 1, 2});
  EXPECT_EQ(Values(y), (V{2, 4, 6, -8}));
  // A [2, 2] against a batch of 3 Bs [3, 2, 1]: column k of each B is (k, 1).
  Tensor a2 = MakeTensor(DataType::kUInt8, {2, 2}, {1, 2, 3, 4});
  Tensor b2 = MakeTensor(DataType::kUInt8, {3, 2, 1}, {0, 1, 1, 1, 2, 1});
  Tensor y2 = RunOk(kOp, {}, {&a2, &b2}, DataType::kInt32, {3, 2, 1});
  EXPECT_EQ(Values(y2), (V{2, 4, 3, 7, 4, 10}));
}

TEST(MatMulInteger, VectorOperands) {
  Tensor v = MakeTensor(DataType::kUInt8, {2}, {1, 2});
  Tensor m = MakeTensor(DataType::kUInt8, {2, 2}, {1, 2, 3, 4});
  Tensor y = RunOk(kOp, {}, {&v, &m}, DataType::kInt32, {2});  // [1 + 6, 2 + 8]
  EXPECT_EQ(Values(y), (V{7, 10}));
  Tensor y2 = RunOk(kOp, {}, {&m, &v}, DataType::kInt32, {2});  // [1 + 4, 3 + 8]
  EXPECT_EQ(Values(y2), (V{5, 11}));
}

TEST(MatMulInteger, ExtremeValues) {
  // int8 -128 * -128 * 3 = 49152; uint8 255 - 0 by int8 -128: -32640 * 3 = -97920.
  Tensor a = MakeTensor(DataType::kInt8, {1, 3}, {-128, -128, -128});
  Tensor b = MakeTensor(DataType::kInt8, {3, 1}, {-128, -128, -128});
  EXPECT_EQ(Values(RunOk(kOp, {}, {&a, &b}, DataType::kInt32, {1, 1})), (V{49152}));
  Tensor au = MakeTensor(DataType::kUInt8, {1, 3}, {255, 255, 255});
  EXPECT_EQ(Values(RunOk(kOp, {}, {&au, &b}, DataType::kInt32, {1, 1})), (V{-97920}));
}

TEST(MatMulInteger, Rejections) {
  Tensor a = MakeTensor(DataType::kUInt8, {2, 3}, {});
  Tensor b = MakeTensor(DataType::kUInt8, {2, 2}, {});
  Tensor b_ok = MakeTensor(DataType::kUInt8, {3, 2}, {});
  Tensor af = MakeTensor(DataType::kFloat32, {2, 3}, {});
  Tensor zp3 = MakeTensor(DataType::kUInt8, {3}, {});
  Tensor zp_i8 = Scalar(DataType::kInt8, 0);
  Tensor zp2d = MakeTensor(DataType::kUInt8, {2, 1}, {});
  EXPECT_EQ(RunCode(kOp, {}, {&a, &b}), StatusCode::kInvalidModel);  // K 3 vs 2
  EXPECT_EQ(RunCode(kOp, {}, {&af, &b_ok}), StatusCode::kUnsupported);
  EXPECT_EQ(RunCode(kOp, {}, {&a, &b_ok, &zp3}), StatusCode::kInvalidModel);  // M is 2
  EXPECT_EQ(RunCode(kOp, {}, {&a, &b_ok, &zp_i8}), StatusCode::kInvalidModel);
  EXPECT_EQ(RunCode(kOp, {}, {&a, &b_ok, &zp2d}), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
