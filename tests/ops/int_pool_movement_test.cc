// Integer kernels of the quantized IR for pooling, ReduceMean and the data
// movement ops (Reshape ... Gather, Pad, Concat): hand-computed goldens and
// cross-checks against the float kernels on dequantized inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "int_test_helpers.h"
#include "kernels/evaluate.h"
#include "op_test_helpers.h"
#include "qscheme/arithmetic.h"

namespace qforge::testing {
namespace {

// Integer pooling and means round their sums once; the float kernel rounds
// the real mean: they may differ by one output step (QUANT_SPEC 3).
constexpr int64_t kOneStep = 1;
// Data movement copies values: exact.
constexpr int64_t kExact = 0;

Ints RunQValues(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& ins, Decl out) {
  Result<Tensor> r = RunQ(op, attrs, ins, out);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  if (!out.quant.empty()) EXPECT_EQ(r->quant(), out.quant);
  return QValues(*r);
}

// Every output of the integer kernel is within `tol` steps of the float
// op's output on dequantized inputs, quantized with that output's params.
// outs[i].quant empty: the op must give the input 0's parameters.
void ExpectNearFloat(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& ins,
                     std::vector<Decl> outs, int64_t tol) {
  Result<std::vector<Tensor>> q = RunQN(op, attrs, ins, outs);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  std::vector<Tensor> deq;
  deq.reserve(ins.size());
  std::vector<const Tensor*> float_ins;
  for (const Tensor* t : ins) {
    if (t != nullptr && !t->quant().empty()) {
      deq.push_back(Dequantize(*t));
      float_ins.push_back(&deq.back());
    } else {
      float_ins.push_back(t);
    }
  }
  Result<std::vector<Tensor>> f = RunSingleOp(op, attrs, float_ins, static_cast<int>(outs.size()));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  for (size_t o = 0; o < outs.size(); ++o) {
    const Tensor& qo = q->at(o);
    const Tensor& fo = f->at(o);
    const QuantParams want_quant = outs[o].quant.empty() ? ins[0]->quant() : outs[o].quant;
    EXPECT_EQ(qo.quant(), want_quant) << OpName(op) << " output " << o;
    EXPECT_EQ(qo.dtype(), outs[o].dtype);
    ASSERT_EQ(qo.dims(), fo.dims());
    const quant::QuantLimits l = Limits(outs[o].dtype);
    for (int64_t i = 0; i < qo.num_elements(); ++i) {
      const int64_t want = quant::QuantizeValue(fo.data<float>()[i], want_quant.scale[0],
                                                static_cast<int32_t>(want_quant.zero_point[0]), l.qmin,
                                                l.qmax, quant::RoundingRule::kHalfAwayFromZero);
      ASSERT_LE(std::abs(IntElement(qo, i) - want), tol)
          << OpName(op) << " output " << o << " element " << i << ": float " << fo.data<float>()[i];
    }
  }
}

ir::Attributes PoolAttrs(Ints kernel, Ints strides, Ints pads, int64_t count_include_pad = 0) {
  ir::Attributes a;
  a.Set("kernel_shape", kernel);
  a.Set("strides", strides);
  a.Set("pads", pads);
  a.Set("count_include_pad", count_include_pad);
  return a;
}

// ---------------------------------------------------------------------------
// Pooling and means

TEST(IntPool, AveragePoolPaddingGolden) {
  // 3x3 input, 2x2 windows, stride 2, one pad on each side: windows hold
  // {0}, {1, 2}, {3, 6}, {4, 5, 7, 8} plus padding. Without count_include_pad
  // the means are 0, 1.5, 4.5, 6 (halves away from zero); with it a padded
  // element is Z = -3: (0 - 9) / 4, (3 - 6) / 4, (9 - 6) / 4, 24 / 4.
  const Tensor x = Q(DataType::kInt8, {1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8}, 0.1f, -3);
  const Decl same{DataType::kInt8, QP(0.1f, -3)};
  EXPECT_EQ(RunQValues(OpKind::kAveragePool, PoolAttrs({2, 2}, {2, 2}, {1, 1, 1, 1}, 0), {&x}, same),
            (Ints{0, 2, 5, 6}));
  EXPECT_EQ(RunQValues(OpKind::kAveragePool, PoolAttrs({2, 2}, {2, 2}, {1, 1, 1, 1}, 1), {&x}, same),
            (Ints{-2, -1, 1, 6}));
}

TEST(IntPool, WindowPoolsMatchFloat) {
  std::mt19937 rng(3);
  for (DataType dt : {DataType::kInt8, DataType::kUInt8}) {
    const Tensor x = RandomQ(dt, {2, 3, 7, 5}, 0.05f, Limits(dt).qmin + 77, &rng);
    const Decl same{dt, {}};
    for (int64_t cip : {0, 1}) {
      ExpectNearFloat(OpKind::kAveragePool, PoolAttrs({3, 2}, {2, 1}, {1, 0, 1, 1}, cip), {&x}, {same},
                      kOneStep);
    }
    ExpectNearFloat(OpKind::kMaxPool, PoolAttrs({3, 3}, {2, 2}, {1, 1, 1, 1}), {&x}, {same}, kExact);
    ExpectNearFloat(OpKind::kGlobalMaxPool, {}, {&x}, {same}, kExact);
  }
}

TEST(IntPool, MaxPoolDeclaredParamsMustMatchInput) {
  const Tensor x = Q(DataType::kInt8, {1, 1, 2, 2}, {1, 2, 3, 4}, 0.1f, 0);
  const ir::Attributes a = PoolAttrs({2, 2}, {1, 1}, {0, 0, 0, 0});
  EXPECT_EQ(RunQValues(OpKind::kMaxPool, a, {&x}, {DataType::kInt8, QP(0.1f, 0)}), (Ints{4}));
  Result<Tensor> r = RunQ(OpKind::kMaxPool, a, {&x}, {DataType::kInt8, QP(0.2f, 0)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("differ from the input"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(RunQ(OpKind::kAveragePool, a, {&x}, {DataType::kInt8, QP(0.1f, 1)}).ok());
}

TEST(IntPool, GlobalAveragePoolGolden) {
  // Centered sums 12 and -7 over 4 elements, M = 0.5 / (0.25 * 4) = 0.5:
  // 6 and -3.5, which the rounding doubling high multiply takes to -3
  // (ties toward +infinity, QUANT_SPEC 3). Output Z = -10.
  const Tensor x = Q(DataType::kInt8, {1, 2, 2, 2}, {1, 3, 5, 7, -1, -1, -1, 0}, 0.5f, 1);
  EXPECT_EQ(RunQValues(OpKind::kGlobalAveragePool, {}, {&x}, {DataType::kInt8, QP(0.25f, -10)}),
            (Ints{-4, -13}));
  EXPECT_FALSE(RunQ(OpKind::kGlobalAveragePool, {}, {&x}, {DataType::kInt8, {}}).ok());
}

TEST(IntPool, MeansMatchFloat) {
  std::mt19937 rng(9);
  for (DataType dt : {DataType::kInt8, DataType::kUInt8}) {
    const int64_t qmin = Limits(dt).qmin;
    const Tensor x = RandomQ(dt, {2, 3, 5, 7}, 0.02f, qmin + 140, &rng);
    ExpectNearFloat(OpKind::kGlobalAveragePool, {}, {&x}, {{dt, QP(0.007f, qmin + 120)}}, kOneStep);
    const Tensor axes = I64({2}, {1, -1});
    for (int64_t keepdims : {0, 1}) {
      ir::Attributes a;
      a.Set("keepdims", keepdims);
      ExpectNearFloat(OpKind::kReduceMean, a, {&x, &axes}, {{dt, QP(0.011f, qmin + 131)}}, kOneStep);
      ExpectNearFloat(OpKind::kReduceMean, a, {&x}, {{dt, QP(0.003f, qmin + 128)}}, kOneStep);
      ExpectNearFloat(OpKind::kReduceMax, a, {&x, &axes}, {{dt, {}}}, kExact);
    }
  }
}

// ---------------------------------------------------------------------------
// Data movement

TEST(IntMovement, KeepParamsAndMoveValues) {
  std::mt19937 rng(13);
  for (DataType dt : {DataType::kInt8, DataType::kUInt8}) {
    const Tensor x = RandomQ(dt, {2, 3, 4}, 0.1f, Limits(dt).qmin + 50, &rng);
    const Decl same{dt, {}};
    const Tensor shape = I64({2}, {4, 6});
    ExpectNearFloat(OpKind::kReshape, {}, {&x, &shape}, {same}, kExact);
    ir::Attributes axis1;
    axis1.Set("axis", int64_t{1});
    ExpectNearFloat(OpKind::kFlatten, axis1, {&x}, {same}, kExact);
    const Tensor unsq = I64({1}, {0});
    ExpectNearFloat(OpKind::kUnsqueeze, {}, {&x, &unsq}, {same}, kExact);
    const Tensor x1 = RandomQ(dt, {2, 1, 3}, 0.1f, Limits(dt).qmin + 50, &rng);
    const Tensor sq = I64({1}, {1});
    ExpectNearFloat(OpKind::kSqueeze, {}, {&x1, &sq}, {same}, kExact);
    ir::Attributes perm;
    perm.Set("perm", Ints{2, 0, 1});
    ExpectNearFloat(OpKind::kTranspose, perm, {&x}, {same}, kExact);
    const Tensor starts = I64({2}, {1, 0}), ends = I64({2}, {3, 4}), axes = I64({2}, {1, 2}),
                 steps = I64({2}, {1, 2});
    ExpectNearFloat(OpKind::kSlice, {}, {&x, &starts, &ends, &axes, &steps}, {same}, kExact);
    const Tensor idx = I64({3}, {2, 0, 2});
    ExpectNearFloat(OpKind::kGather, axis1, {&x, &idx}, {same}, kExact);
    const Tensor parts = I64({2}, {1, 3});
    ir::Attributes axis2;
    axis2.Set("axis", int64_t{2});
    ExpectNearFloat(OpKind::kSplit, axis2, {&x, &parts}, {same, same}, kExact);
    ExpectNearFloat(OpKind::kIdentity, {}, {&x}, {same}, kExact);
    ExpectNearFloat(OpKind::kDropout, {}, {&x}, {same}, kExact);
    ir::Attributes nearest;
    nearest.Set("mode", std::string("nearest"));
    const Tensor scales = F32({3}, {1, 2, 1.5});
    ExpectNearFloat(OpKind::kResize, nearest, {&x, nullptr, &scales}, {same}, kExact);
    const Tensor pads = I64({6}, {0, 1, 2, 1, 0, 1});
    ExpectNearFloat(OpKind::kPad, {}, {&x, &pads}, {same}, kExact);
    ir::Attributes reflect;
    reflect.Set("mode", std::string("reflect"));
    ExpectNearFloat(OpKind::kPad, reflect, {&x, &pads}, {same}, kExact);
  }
}

TEST(IntMovement, PadWithZeroPoint) {
  const Tensor x = Q(DataType::kInt8, {2}, {1, 2}, 0.5f, 7);
  const Tensor pads = I64({2}, {1, 2});
  EXPECT_EQ(RunQValues(OpKind::kPad, {}, {&x, &pads}, {DataType::kInt8, {}}), (Ints{7, 1, 2, 7, 7}));
  const Tensor u = Q(DataType::kUInt8, {1}, {200}, 0.5f, 128);
  EXPECT_EQ(RunQValues(OpKind::kPad, {}, {&u, &pads}, {DataType::kUInt8, {}}), (Ints{128, 200, 128, 128}));
  // A constant_value is a quantized scalar: with other params it is requantized (1.5 / 0.5 + 7 = 10).
  const Tensor cv = Q(DataType::kInt8, {}, {3}, 0.5f, 0);
  EXPECT_EQ(RunQValues(OpKind::kPad, {}, {&x, &pads, &cv}, {DataType::kInt8, {}}), (Ints{10, 1, 2, 10, 10}));
}

TEST(IntMovement, ConcatRequantizesDifferingInput) {
  // Input 1 (S 0.25, Z 10) holds reals 1.25 and -1, i.e. 2.5 and -2 in the
  // output's S 0.5: 2.5 rounds (doubling high multiply, tie up) to 3.
  const Tensor a = Q(DataType::kInt8, {1, 2}, {2, 4}, 0.5f, 0);
  const Tensor b = Q(DataType::kInt8, {1, 2}, {15, 6}, 0.25f, 10);
  ir::Attributes axis1;
  axis1.Set("axis", int64_t{1});
  EXPECT_EQ(RunQValues(OpKind::kConcat, axis1, {&a, &b}, {DataType::kInt8, QP(0.5f, 0)}),
            (Ints{2, 4, 3, -2}));
  ir::Attributes axis0;
  axis0.Set("axis", int64_t{0});
  EXPECT_EQ(RunQValues(OpKind::kConcat, axis0, {&b, &a}, {DataType::kInt8, QP(0.5f, 0)}),
            (Ints{3, -2, 2, 4}));
  // Inputs sharing parameters need no declaration; differing ones without one are an error.
  EXPECT_EQ(RunQValues(OpKind::kConcat, axis1, {&a, &a}, {DataType::kInt8, {}}), (Ints{2, 4, 2, 4}));
  EXPECT_FALSE(RunQ(OpKind::kConcat, axis1, {&a, &b}, {DataType::kInt8, {}}).ok());
}

TEST(IntMovement, ConcatRandomMatchesFloat) {
  std::mt19937 rng(17);
  for (DataType dt : {DataType::kInt8, DataType::kUInt8}) {
    const int64_t qmin = Limits(dt).qmin;
    const Tensor a = RandomQ(dt, {2, 3, 5}, 0.05f, qmin + 100, &rng);
    const Tensor b = RandomQ(dt, {2, 1, 5}, 0.02f, qmin + 30, &rng);
    const Tensor c = RandomQ(dt, {2, 4, 5}, 0.06f, qmin + 140, &rng);
    ir::Attributes axis1;
    axis1.Set("axis", int64_t{1});
    ExpectNearFloat(OpKind::kConcat, axis1, {&a, &b, &c}, {{dt, QP(0.06f, qmin + 140)}}, kOneStep);
  }
}

}  // namespace
}  // namespace qforge::testing
