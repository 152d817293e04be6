// CheckedTensorBytes, Tensor::Create and the MemoryBudget: the checked size
// arithmetic every file-chosen shape goes through.
#include "core/size_math.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/memory_budget.h"

namespace qforge {
namespace {

constexpr int64_t k2p31 = int64_t{1} << 31;

TEST(SizeMath, CheckedTensorBytesMultipliesByTheElementSize) {
  const std::vector<int64_t> dims = {2, 3, 5};
  auto b = CheckedTensorBytes(DataType::kFloat32, dims, "t");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, 120u);
  auto scalar = CheckedTensorBytes(DataType::kInt64, std::vector<int64_t>{}, "t");
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(*scalar, 8u);
}

// 2^31 * 2^31 * 4 is 2^64: a plain product wraps to 0.
TEST(SizeMath, CheckedTensorBytesRefusesAProductThatWraps) {
  const std::vector<int64_t> dims = {k2p31, k2p31};
  auto b = CheckedTensorBytes(DataType::kFloat32, dims, "node 'c1' (ConstantOfShape): output 0");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(b.status().message(),
            "node 'c1' (ConstantOfShape): output 0: float32[2147483648, 2147483648] is over the memory limit "
            "of 4096 MiB (--memory-limit)");
}

TEST(SizeMath, CheckedTensorBytesHonoursTheLimitExactly) {
  const std::vector<int64_t> dims = {256};
  EXPECT_TRUE(CheckedTensorBytes(DataType::kFloat32, dims, "t", 1024).ok());
  auto over = CheckedTensorBytes(DataType::kFloat32, dims, "t", 1023);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
}

TEST(SizeMath, CheckedTensorBytesNegativeDimIsInvalidAndZeroDimIsEmpty) {
  const std::vector<int64_t> negative = {4, -1};
  EXPECT_EQ(CheckedTensorBytes(DataType::kFloat32, negative, "t").status().code(),
            StatusCode::kInvalidArgument);
  // A zero dim makes the tensor empty even when the other dims overflow.
  const std::vector<int64_t> empty = {k2p31, 0, k2p31, k2p31};
  auto b = CheckedTensorBytes(DataType::kFloat32, empty, "t");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, 0u);
}

TEST(SizeMath, ByteSizeStringPicksAReadableUnit) {
  EXPECT_EQ(ByteSizeString(uint64_t{4} << 30), "4096 MiB");
  EXPECT_EQ(ByteSizeString(uint64_t{3} << 19), "1.5 MiB");
  EXPECT_EQ(ByteSizeString(100 * 1024), "100.0 KiB");
  EXPECT_EQ(ByteSizeString(12), "12 bytes");
  EXPECT_EQ(ByteSizeString(0), "0 bytes");
}

TEST(SizeMath, TensorCreateIsAnErrorNotAnAbort) {
  auto over = Tensor::Create(DataType::kFloat32, {k2p31, k2p31}, "input 'x'");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(over.status().message().rfind("input 'x': float32[", 0), 0u) << over.status().message();
  EXPECT_EQ(Tensor::Create(DataType::kInt8, {-3}, "x").status().code(), StatusCode::kInvalidArgument);
  auto ok = Tensor::Create(DataType::kInt16, {3, 4}, "x");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->byte_size(), 24u);
  for (int16_t v : ok->span<int16_t>()) EXPECT_EQ(v, 0);
}

TEST(MemoryBudget, ChargesUpToTheLimitAndNamesWhatCrossesIt) {
  MemoryBudget budget(uint64_t{3} << 20);
  EXPECT_TRUE(budget.Charge(uint64_t{2} << 20, "a").ok());
  EXPECT_TRUE(budget.Charge(uint64_t{1} << 20, "b").ok());
  EXPECT_EQ(budget.used(), uint64_t{3} << 20);
  Status s = budget.Charge(uint64_t{1} << 20, "node 'c' (Tile): output 0");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(
      s.message(),
      "node 'c' (Tile): output 0: 1 MiB on top of the 3 MiB the model holds is over the memory limit of 3 "
      "MiB (--memory-limit)");
  EXPECT_EQ(budget.used(), uint64_t{3} << 20);  // nothing charged by a refusal
  budget.Release(uint64_t{1} << 20);
  EXPECT_TRUE(budget.TryCharge(uint64_t{1} << 20));
  // A charge that would wrap the counter is refused, not wrapped.
  EXPECT_FALSE(budget.TryCharge(~uint64_t{0}));
}

TEST(MemoryBudget, CreateChargedChargesAndRefusesBeforeAllocating) {
  MemoryBudget budget(1000);
  int named = 0;
  auto what = [&] {
    ++named;
    return std::string("node 'n' (Expand): output 0");
  };
  auto a = CreateCharged(DataType::kFloat32, {200}, &budget, what);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(budget.used(), 800u);
  EXPECT_EQ(named, 0);  // the name is built only for an error
  auto b = CreateCharged(DataType::kFloat32, {100}, &budget, what);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(b.status().message().find("node 'n' (Expand): output 0: float32[100]"), std::string::npos)
      << b.status().message();
  EXPECT_EQ(budget.used(), 800u);
  auto wraps = CreateCharged(DataType::kFloat32, {k2p31, k2p31}, &budget, what);
  EXPECT_EQ(wraps.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(named, 2);
}

}  // namespace
}  // namespace qforge
