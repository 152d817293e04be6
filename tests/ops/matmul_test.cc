#include <gtest/gtest.h>

#include "op_test_helpers.h"

namespace qforge::testing {
namespace {

using Ints = std::vector<int64_t>;

TEST(MatMul, TwoByTwo) {
  Tensor a = F32({2, 2}, {1, 2, 3, 4});
  Tensor b = F32({2, 2}, {5, 6, 7, 8});
  ExpectTensor(Run1(OpKind::kMatMul, {}, {&a, &b}), {2, 2}, {19, 22, 43, 50});
}

TEST(MatMul, VectorOperandsDropTheirUnitDim) {
  Tensor v = F32({2}, {1, 2});
  Tensor m = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  ExpectTensor(Run1(OpKind::kMatMul, {}, {&v, &m}), {3}, {9, 12, 15});
  Tensor mt = F32({3, 2}, {1, 4, 2, 5, 3, 6});
  ExpectTensor(Run1(OpKind::kMatMul, {}, {&mt, &v}), {3}, {9, 12, 15});
  Tensor w = F32({2}, {3, 4});
  ExpectTensor(Run1(OpKind::kMatMul, {}, {&v, &w}), {}, {11});
  // A vector against a batch of matrices.
  Tensor batch = F32({2, 2, 1}, {1, 1, 2, 3});
  ExpectTensor(Run1(OpKind::kMatMul, {}, {&v, &batch}), {2, 1}, {3, 8});
}

TEST(MatMul, Int32AndInt64) {
  Tensor a = MakeTensor(DataType::kInt32, {1, 2}, {3, -2});
  Tensor b = MakeTensor(DataType::kInt32, {2, 1}, {5, 7});
  ExpectTensor(Run1(OpKind::kMatMul, {}, {&a, &b}), {1, 1}, {1});
  Tensor a64 = MakeTensor(DataType::kInt64, {1, 2}, {3e9, 1});
  Tensor b64 = MakeTensor(DataType::kInt64, {2, 1}, {2, 5});
  ExpectTensor(Run1(OpKind::kMatMul, {}, {&a64, &b64}), {1, 1}, {6e9 + 5});
}

TEST(MatMul, InferShapes) {
  ir::TensorType a = Type(DataType::kFloat32, {-1, 4, 5});
  ir::TensorType b = Type(DataType::kFloat32, {5, 6});
  auto r = InferTypes(OpKind::kMatMul, {}, {&a, &b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (Ints{-1, 4, 6}));
  ir::TensorType c = Type(DataType::kFloat32, {3, 1, 2, 5});
  ir::TensorType d = Type(DataType::kFloat32, {7, 5, 4});
  r = InferTypes(OpKind::kMatMul, {}, {&c, &d});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].dims, (Ints{3, 7, 2, 4}));
  ir::TensorType bad = Type(DataType::kFloat32, {4, 6});
  EXPECT_EQ(InferTypes(OpKind::kMatMul, {}, {&a, &bad}).status().code(), StatusCode::kInvalidModel);
  ir::TensorType batch_bad = Type(DataType::kFloat32, {2, 5, 6});
  ir::TensorType batch3 = Type(DataType::kFloat32, {3, 4, 5});
  EXPECT_EQ(InferTypes(OpKind::kMatMul, {}, {&batch3, &batch_bad}).status().code(),
            StatusCode::kInvalidModel);
  ir::TensorType u8 = Type(DataType::kUInt8, {2, 2});
  EXPECT_EQ(InferTypes(OpKind::kMatMul, {}, {&u8, &u8}).status().code(), StatusCode::kUnsupported);
}

// Independent formulation: materialize both operands broadcast to the full
// batch (explicit numpy broadcasting by index), then one product per batch.
Tensor NaiveBatchedMatMul(const Tensor& a, const Tensor& b) {
  const size_t ra = static_cast<size_t>(a.rank()), rb = static_cast<size_t>(b.rank());
  const size_t rank = std::max(ra, rb);
  Ints batch(rank - 2);
  for (size_t i = 0; i + 2 < rank; ++i) {
    const int64_t da = i + ra >= rank ? a.dims()[i + ra - rank] : 1;
    const int64_t db = i + rb >= rank ? b.dims()[i + rb - rank] : 1;
    batch[i] = std::max(da, db);
  }
  const int64_t m = a.dims()[ra - 2], k = a.dims()[ra - 1], n = b.dims()[rb - 1];
  Ints ydims = batch;
  ydims.push_back(m);
  ydims.push_back(n);
  Tensor y(DataType::kFloat32, ydims);
  int64_t count = 1;
  for (int64_t d : batch) count *= d;
  for (int64_t flat = 0; flat < count; ++flat) {
    // Batch index -> offsets of each operand, clamping broadcast dims to 0.
    int64_t rem = flat, off_a = 0, off_b = 0, sa = m * k, sb = k * n;
    for (size_t i = batch.size(); i-- > 0;) {
      const int64_t idx = rem % batch[i];
      rem /= batch[i];
      const size_t ia = i + ra - rank, ib = i + rb - rank;
      if (i + ra >= rank) {
        const int64_t d = a.dims()[ia];
        off_a += (d == 1 ? 0 : idx) * sa;
        sa *= d;
      }
      if (i + rb >= rank) {
        const int64_t d = b.dims()[ib];
        off_b += (d == 1 ? 0 : idx) * sb;
        sb *= d;
      }
    }
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p) {
          acc += static_cast<double>(a.data<float>()[off_a + i * k + p]) * b.data<float>()[off_b + p * n + j];
        }
        y.data<float>()[(flat * m + i) * n + j] = static_cast<float>(acc);
      }
    }
  }
  return y;
}

constexpr double kCrossCheckTolerance = 1e-5;  // float32 dot products of <= 8 terms, summed in another order

TEST(MatMul, MatchesNaiveBroadcastOnRandomShapes) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(1, 4);
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t m = pick(rng), k = pick(rng), n = pick(rng);
    Ints a_dims, b_dims;
    const int batch_rank = trial % 4;
    for (int i = 0; i < batch_rank; ++i) {
      const int64_t d = pick(rng);
      // Each operand gets the dim, a 1 (broadcast), or nothing (rank shorter).
      const int ka = pick(rng) % 3, kb = pick(rng) % 3;
      if (ka != 2 || !a_dims.empty()) a_dims.push_back(ka == 1 ? 1 : d);
      if (kb != 2 || !b_dims.empty()) b_dims.push_back(kb == 1 ? 1 : d);
    }
    a_dims.push_back(m);
    a_dims.push_back(k);
    b_dims.push_back(k);
    b_dims.push_back(n);
    Tensor a = RandomF32(a_dims, &rng), b = RandomF32(b_dims, &rng);
    Tensor got = Run1(OpKind::kMatMul, {}, {&a, &b});
    Tensor want = NaiveBatchedMatMul(a, b);
    EXPECT_LE(MaxRelError(got, want), kCrossCheckTolerance) << a.ShapeString() << " x " << b.ShapeString();
    EXPECT_GE(MaxRelError(got, want), 0) << a.ShapeString() << " x " << b.ShapeString();
  }
}

}  // namespace
}  // namespace qforge::testing
