// Integer kernels of the quantized IR for Requantize, Add/Sub/Mul, table
// activations and Softmax: hand-computed goldens (exact, from the
// normative arithmetic of qscheme/arithmetic.h) and cross-checks against the
// float kernels on dequantized inputs, re-quantized with the output
// parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "int_test_helpers.h"
#include "ir/op_kind.h"
#include "kernels/evaluate.h"
#include "op_test_helpers.h"
#include "qscheme/arithmetic.h"
#include "qscheme/fused_activation.h"

namespace qforge::testing {
namespace {

// Integer kernels may differ from the quantized float result by one output
// step: the fixed-point multipliers and table rounding are not the float
// kernel's arithmetic (QUANT_SPEC 3).
constexpr int64_t kOneStep = 1;

Ints RunQValues(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& ins, Decl out) {
  Result<Tensor> r = RunQ(op, attrs, ins, out);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_EQ(r->dtype(), out.dtype);
  EXPECT_EQ(r->quant(), out.quant);
  return QValues(*r);
}

// The float op on dequantized quantized inputs (other inputs as given),
// quantized with `out`, must be within one step of the integer kernel.
void ExpectNearFloat(OpKind op, const ir::Attributes& attrs, const std::vector<const Tensor*>& ins,
                     Decl out) {
  Result<Tensor> q = RunQ(op, attrs, ins, out);
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
  Result<Tensor> f = RunOp(op, float_ins, attrs);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(q->dims(), f->dims());
  const quant::QuantLimits l = Limits(out.dtype);
  int64_t worst = 0;
  for (int64_t i = 0; i < q->num_elements(); ++i) {
    const int64_t want = quant::QuantizeValue(f->data<float>()[i], out.quant.scale[0],
                                              static_cast<int32_t>(out.quant.zero_point[0]), l.qmin, l.qmax,
                                              quant::RoundingRule::kHalfAwayFromZero);
    worst = std::max(worst, std::abs(IntElement(*q, i) - want));
    ASSERT_LE(std::abs(IntElement(*q, i) - want), kOneStep)
        << OpName(op) << " element " << i << ": float " << f->data<float>()[i];
  }
}

// ---------------------------------------------------------------------------
// Requantize

TEST(IntRequantize, MultiplierAboveOne) {
  // M = 0.1 / 0.05 = 2 exactly (0.05f is 0.1f / 2).
  const Tensor x = Q(DataType::kInt8, {4}, {0, 5, -7, 127}, 0.1f, 0);
  EXPECT_EQ(RunQValues(OpKind::kRequantize, {}, {&x}, {DataType::kInt8, QP(0.05f, 10)}),
            (Ints{10, 20, -4, 127}));
}

TEST(IntRequantize, MultiplierBelowOne) {
  // M = 0.25: centered 6 -> 1.5 rounds half away from zero to 2; -8 -> -2.
  const Tensor x = Q(DataType::kInt8, {5}, {-2, 2, 4, 6, -10}, 0.5f, -2);
  EXPECT_EQ(RunQValues(OpKind::kRequantize, {}, {&x}, {DataType::kInt8, QP(2.0f, 0)}),
            (Ints{0, 1, 2, 2, -2}));
}

TEST(IntRequantize, Int8ToUint8SameScaleIsExact) {
  const Tensor x = Q(DataType::kInt8, {4}, {-128, -5, 0, 127}, 0.3f, -5);
  EXPECT_EQ(RunQValues(OpKind::kRequantize, {}, {&x}, {DataType::kUInt8, QP(0.3f, 123)}),
            (Ints{0, 123, 128, 255}));
  const Tensor u = Q(DataType::kUInt8, {3}, {0, 128, 255}, 0.02f, 128);
  EXPECT_EQ(RunQValues(OpKind::kRequantize, {}, {&u}, {DataType::kInt8, QP(0.02f, 0)}), (Ints{-128, 0, 127}));
}

TEST(IntRequantize, ToInt16) {
  // M = 0.5 / 0.001f = 499.99998: 1 -> 500; 100 -> 50000 saturates at 32767.
  const Tensor x = Q(DataType::kInt8, {3}, {1, -1, 100}, 0.5f, 0);
  EXPECT_EQ(RunQValues(OpKind::kRequantize, {}, {&x}, {DataType::kInt16, QP(0.001f, 0)}),
            (Ints{500, -500, 32767}));
}

TEST(IntRequantize, Errors) {
  const Tensor x = Q(DataType::kInt8, {2}, {1, 2}, 1.0f, 0);
  // No declared output parameters.
  EXPECT_FALSE(RunQ(OpKind::kRequantize, {}, {&x}, {DataType::kInt8, {}}).ok());
  // M = 2^40 cannot be a fixed-point multiplier: a clear error, no crash.
  Result<Tensor> r = RunQ(OpKind::kRequantize, {}, {&x}, {DataType::kInt8, QP(std::ldexp(1.0f, -40), 0)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("multiplier"), std::string::npos) << r.status().ToString();
  // An unquantized input.
  const Tensor plain = MakeTensor(DataType::kInt8, {2}, {1, 2});
  EXPECT_FALSE(RunQ(OpKind::kRequantize, {}, {&plain}, {DataType::kInt8, QP(1.0f, 0)}).ok());
}

TEST(IntRequantize, EmptyOnnxNameMatchesNothing) {
  // Requantize has no ONNX op type: a node with an empty op_type must not
  // import as Requantize.
  EXPECT_FALSE(OpKindFromOnnx("").has_value());
}

// ---------------------------------------------------------------------------
// Add / Sub / Mul

TEST(IntBinary, AddDifferentScalesGolden) {
  // Reals: [2, -3, 50] + [1, -2, 0] = [3, -5, 50] -> q = r / 1 - 5.
  const Tensor a = Q(DataType::kInt8, {3}, {4, -6, 100}, 0.5f, 0);
  const Tensor b = Q(DataType::kInt8, {3}, {14, 2, 10}, 0.25f, 10);
  EXPECT_EQ(RunQValues(OpKind::kAdd, {}, {&a, &b}, {DataType::kInt8, QP(1.0f, -5)}), (Ints{-2, -10, 45}));
  // Sub: [1, -1, 50]; the output saturates at 127 for 50 / 0.25.
  EXPECT_EQ(RunQValues(OpKind::kSub, {}, {&a, &b}, {DataType::kInt8, QP(0.25f, 0)}), (Ints{4, -4, 127}));
}

TEST(IntBinary, AddFusedReluClamps) {
  const Tensor a = Q(DataType::kUInt8, {3}, {0, 10, 20}, 1.0f, 10);
  const Tensor b = Q(DataType::kUInt8, {3}, {10, 10, 10}, 1.0f, 10);
  ir::Attributes attrs;
  attrs.Set(quant::kActivationMin, 0.0f);
  // Reals [-10, 0, 10] clamped to [0, inf) with Z = 100.
  EXPECT_EQ(RunQValues(OpKind::kAdd, attrs, {&a, &b}, {DataType::kUInt8, QP(1.0f, 100)}),
            (Ints{100, 100, 110}));
}

TEST(IntBinary, MulGolden) {
  // M = 0.5 * 0.25 / 0.125 = 1: reals [4, -2.25] -> q = r * 8 + 3.
  const Tensor a = Q(DataType::kInt8, {2}, {4, -6}, 0.5f, 0);
  const Tensor b = Q(DataType::kInt8, {2}, {8, 3}, 0.25f, 0);
  EXPECT_EQ(RunQValues(OpKind::kMul, {}, {&a, &b}, {DataType::kInt8, QP(0.125f, 3)}), (Ints{35, -15}));
}

TEST(IntBinary, RandomBroadcastMatchesFloat) {
  std::mt19937 rng(7);
  for (DataType dt : {DataType::kInt8, DataType::kUInt8}) {
    const int64_t mid = dt == DataType::kInt8 ? 0 : 128;
    for (OpKind op : {OpKind::kAdd, OpKind::kSub, OpKind::kMul}) {
      const Tensor a = RandomQ(dt, {3, 1, 5}, 0.031f, mid - 7, &rng);
      const Tensor b = RandomQ(dt, {4, 5}, 0.017f, mid + 21, &rng);
      const float out_scale = op == OpKind::kMul ? 0.06f : 0.045f;
      ExpectNearFloat(op, {}, {&a, &b}, {dt, QP(out_scale, mid + 3)});
      ExpectNearFloat(op, {}, {&b, &a}, {dt, QP(out_scale * 0.37f, mid - 11)});
    }
  }
}

TEST(IntBinary, Errors) {
  const Tensor a = Q(DataType::kInt8, {2}, {1, 2}, 1.0f, 0);
  const Tensor u = Q(DataType::kUInt8, {2}, {1, 2}, 1.0f, 0);
  EXPECT_FALSE(RunQ(OpKind::kAdd, {}, {&a, &u}, {DataType::kInt8, QP(1.0f, 0)}).ok());  // mixed types
  Result<Tensor> r = RunQ(OpKind::kAdd, {}, {&a, &a}, {DataType::kInt8, {}});
  ASSERT_FALSE(r.ok());  // no output parameters
  EXPECT_NE(r.status().message().find("quantization parameters"), std::string::npos) << r.status().ToString();
  const Tensor plain = MakeTensor(DataType::kInt8, {2}, {1, 2});
  EXPECT_FALSE(RunQ(OpKind::kAdd, {}, {&a, &plain}, {DataType::kInt8, QP(1.0f, 0)}).ok());
  EXPECT_FALSE(RunQ(OpKind::kDiv, {}, {&a, &a}, {DataType::kInt8, QP(1.0f, 0)}).ok());
}

// ---------------------------------------------------------------------------
// Table activations

TEST(IntTable, SigmoidAndTanhFixedOutputParams) {
  const Tensor x = Q(DataType::kInt8, {5}, {0, 10, -10, 127, -128}, 0.1f, 0);
  // sigmoid(+-1) * 256 = 187.15 / 68.85; output Z = -128.
  EXPECT_EQ(RunQValues(OpKind::kSigmoid, {}, {&x}, {DataType::kInt8, QP(1.0f / 256, -128)}),
            (Ints{0, 59, -59, 127, -128}));
  // tanh(+-1) * 128 = +-97.48.
  EXPECT_EQ(RunQValues(OpKind::kTanh, {}, {&x}, {DataType::kInt8, QP(1.0f / 128, 0)}),
            (Ints{0, 97, -97, 127, -128}));
  const Tensor u = Q(DataType::kUInt8, {3}, {128, 138, 118}, 0.1f, 128);
  EXPECT_EQ(RunQValues(OpKind::kSigmoid, {}, {&u}, {DataType::kUInt8, QP(1.0f / 256, 0)}),
            (Ints{128, 187, 69}));
  EXPECT_EQ(RunQValues(OpKind::kTanh, {}, {&u}, {DataType::kUInt8, QP(1.0f / 128, 128)}),
            (Ints{128, 225, 31}));
}

TEST(IntTable, EveryUnaryMatchesFloat) {
  ir::Attributes leaky;
  leaky.Set("alpha", 0.2f);
  for (DataType dt : {DataType::kInt8, DataType::kUInt8}) {
    const int64_t mid = dt == DataType::kInt8 ? 0 : 128;
    // Every input value once (plus an odd tail), so the whole table is checked.
    Tensor x(dt, {2, 131});
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const int32_t q = Limits(dt).qmin + static_cast<int32_t>(i % 256);
      if (dt == DataType::kInt8)
        x.data<int8_t>()[i] = static_cast<int8_t>(q);
      else
        x.data<uint8_t>()[i] = static_cast<uint8_t>(q);
    }
    x.set_quant(QP(0.05f, mid + 9));
    for (OpKind op :
         {OpKind::kRelu, OpKind::kLeakyRelu, OpKind::kSigmoid, OpKind::kTanh, OpKind::kHardSigmoid,
          OpKind::kHardSwish, OpKind::kExp, OpKind::kAbs, OpKind::kNeg, OpKind::kErf}) {
      SCOPED_TRACE(std::string(OpName(op)) + " " + DataTypeName(dt));
      ExpectNearFloat(op, op == OpKind::kLeakyRelu ? leaky : ir::Attributes{}, {&x},
                      {dt, QP(0.03f, mid - 20)});
    }
    // Exp's range needs a coarser output scale to be meaningful.
    ExpectNearFloat(OpKind::kExp, {}, {&x}, {dt, QP(2.5f, Limits(dt).qmin)});
    const Tensor lo = Scalar(DataType::kFloat32, -1.0);
    const Tensor hi = Scalar(DataType::kFloat32, 2.5);
    ExpectNearFloat(OpKind::kClip, {}, {&x, &lo, &hi}, {dt, QP(0.02f, mid - 50)});
    ExpectNearFloat(OpKind::kClip, {}, {&x, nullptr, &hi}, {dt, QP(0.05f, mid + 9)});
  }
}

TEST(IntTable, ClipKeepsInputParamsWithoutDeclared) {
  const Tensor x = Q(DataType::kInt8, {4}, {-100, -10, 10, 100}, 0.1f, 0);
  const Tensor lo = Scalar(DataType::kFloat32, -2.0);
  const Tensor hi = Scalar(DataType::kFloat32, 5.0);
  Result<Tensor> r = RunQ(OpKind::kClip, {}, {&x, &lo, &hi}, {DataType::kInt8, {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->quant(), x.quant());
  EXPECT_EQ(QValues(*r), (Ints{-20, -10, 10, 50}));
}

TEST(IntTable, MissingOutputParams) {
  const Tensor x = Q(DataType::kInt8, {2}, {1, 2}, 0.1f, 0);
  Result<Tensor> r = RunQ(OpKind::kSigmoid, {}, {&x}, {DataType::kInt8, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("quantization parameters"), std::string::npos) << r.status().ToString();
}

// ---------------------------------------------------------------------------
// Softmax

TEST(IntSoftmax, Golden) {
  // Rows [0, 0] -> 0.5, 0.5; [1, 0] -> 0.731, 0.269 (x 256 = 187.15, 68.85).
  const Tensor x = Q(DataType::kInt8, {2, 2}, {0, 0, 1, 0}, 1.0f, 0);
  EXPECT_EQ(RunQValues(OpKind::kSoftmax, {}, {&x}, {DataType::kInt8, QP(1.0f / 256, -128)}),
            (Ints{0, 0, 59, -59}));
  const Tensor u = Q(DataType::kUInt8, {2, 2}, {10, 10, 11, 10}, 1.0f, 10);
  EXPECT_EQ(RunQValues(OpKind::kSoftmax, {}, {&u}, {DataType::kUInt8, QP(1.0f / 256, 0)}),
            (Ints{128, 128, 187, 69}));
}

TEST(IntSoftmax, RandomMatchesFloat) {
  std::mt19937 rng(5);
  ir::Attributes axis1;
  axis1.Set("axis", int64_t{1});
  ir::Attributes coerce;
  coerce.Set("axis", int64_t{1});
  coerce.Set("coerce_2d", int64_t{1});
  for (DataType dt : {DataType::kInt8, DataType::kUInt8}) {
    const int64_t qmin = Limits(dt).qmin;
    const Tensor x = RandomQ(dt, {3, 7, 5}, 0.07f, qmin + 100, &rng);
    for (const ir::Attributes& attrs : {ir::Attributes{}, axis1, coerce}) {
      ExpectNearFloat(OpKind::kSoftmax, attrs, {&x}, {dt, QP(1.0f / 256, qmin)});
      ExpectNearFloat(OpKind::kLogSoftmax, attrs, {&x}, {dt, QP(0.1f, qmin + 255)});
    }
  }
}

}  // namespace
}  // namespace qforge::testing
