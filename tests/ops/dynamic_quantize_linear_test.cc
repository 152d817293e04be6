// DynamicQuantizeLinear: golden values worked out by hand from the ONNX
// formula (range extended to 0, scale = range / 255, zero point and values
// rounded half to even).
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using V = std::vector<double>;
constexpr OpKind kOp = OpKind::kDynamicQuantizeLinear;

struct Outputs {
  std::vector<double> y;
  float scale = 0;
  double zero_point = -1;
};

Outputs RunDql(const Tensor& x) {
  Result<std::vector<Tensor>> r = RunSingleOp(kOp, {}, {&x}, 3);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  const std::vector<Tensor>& t = *r;
  EXPECT_EQ(t[0].dtype(), DataType::kUInt8);
  EXPECT_EQ(t[0].dims(), x.dims());
  EXPECT_EQ(t[1].dtype(), DataType::kFloat32);
  EXPECT_EQ(t[1].rank(), 0);
  EXPECT_EQ(t[2].dtype(), DataType::kUInt8);
  EXPECT_EQ(t[2].rank(), 0);
  return {Values(t[0]), t[1].data<float>()[0], Values(t[2])[0]};
}

TEST(DynamicQuantizeLinear, MixedSigns) {
  // [-1, 3]: scale 4/255, zero point round(63.75) = 64;
  // y = round(x * 63.75) + 64: -63.75 -> -64 -> 0; 95.625 -> 96 -> 160; 191.25 -> 191 -> 255.
  Tensor x = MakeTensor(DataType::kFloat32, {2, 2}, {-1, 0, 1.5, 3});
  Outputs o = RunDql(x);
  EXPECT_EQ(o.scale, 4.0f / 255.0f);
  EXPECT_EQ(o.zero_point, 64);
  EXPECT_EQ(o.y, (V{0, 64, 160, 255}));
}

TEST(DynamicQuantizeLinear, AllPositiveTiesToEven) {
  // [0, 255]: scale 1, zero point 0; 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
  Tensor x = MakeTensor(DataType::kFloat32, {4}, {0.5, 1.5, 2.5, 255});
  Outputs o = RunDql(x);
  EXPECT_EQ(o.scale, 1.0f);
  EXPECT_EQ(o.zero_point, 0);
  EXPECT_EQ(o.y, (V{0, 2, 2, 255}));
}

TEST(DynamicQuantizeLinear, AllNegative) {
  // [-255, 0]: scale 1, zero point 255; -0.5 -> -0 -> 255, -1.5 -> -2 -> 253.
  Tensor x = MakeTensor(DataType::kFloat32, {3}, {-255, -0.5, -1.5});
  Outputs o = RunDql(x);
  EXPECT_EQ(o.scale, 1.0f);
  EXPECT_EQ(o.zero_point, 255);
  EXPECT_EQ(o.y, (V{0, 255, 253}));
}

TEST(DynamicQuantizeLinear, AllZeroAndEmpty) {
  Tensor zeros = MakeTensor(DataType::kFloat32, {3}, {0, 0, 0});
  Outputs o = RunDql(zeros);
  EXPECT_EQ(o.scale, 1.0f);
  EXPECT_EQ(o.zero_point, 0);
  EXPECT_EQ(o.y, (V{0, 0, 0}));
  Tensor empty = MakeTensor(DataType::kFloat32, {0, 4}, {});
  o = RunDql(empty);
  EXPECT_EQ(o.scale, 1.0f);
  EXPECT_TRUE(o.y.empty());
}

TEST(DynamicQuantizeLinear, NanIsIgnoredForTheRange) {
  Tensor x = MakeTensor(DataType::kFloat32, {3}, {NAN, 0, 255});
  Outputs o = RunDql(x);
  EXPECT_EQ(o.scale, 1.0f);
  EXPECT_EQ(o.y, (V{0, 0, 255}));  // NaN -> the zero point
}

TEST(DynamicQuantizeLinear, RejectsNonFloat) {
  Tensor x = MakeTensor(DataType::kUInt8, {2}, {});
  EXPECT_EQ(RunSingleOp(kOp, {}, {&x}, 3).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace qforge::testing
