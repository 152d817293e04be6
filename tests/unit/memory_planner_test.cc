#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

namespace qforge::runtime {
namespace {

bool Overlap(const BufferRequest& a, int64_t oa, const BufferRequest& b, int64_t ob) {
  bool time = a.first <= b.last && b.first <= a.last;
  bool space = oa < ob + static_cast<int64_t>(b.bytes) && ob < oa + static_cast<int64_t>(a.bytes);
  return time && space;
}

TEST(MemoryPlanner, ReusesMemoryOfDeadBuffers) {
  // A chain a -> b -> c -> d: a and c can share, b and d can share.
  std::vector<BufferRequest> reqs = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan plan = PlanMemory(reqs);
  EXPECT_EQ(plan.total_bytes, 2048u);  // two 1024-byte aligned slots
  for (size_t i = 0; i < reqs.size(); ++i) {
    for (size_t j = i + 1; j < reqs.size(); ++j) {
      EXPECT_FALSE(Overlap(reqs[i], plan.offsets[i], reqs[j], plan.offsets[j])) << i << " vs " << j;
    }
  }
}

TEST(MemoryPlanner, RandomPlansNeverOverlapLiveBuffers) {
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<BufferRequest> reqs;
    size_t sum = 0;
    for (int i = 0; i < 30; ++i) {
      int first = static_cast<int>(next() % 40);
      int last = first + static_cast<int>(next() % 10);
      size_t bytes = 1 + next() % 5000;
      reqs.push_back({bytes, first, last});
      sum += (bytes + 63) / 64 * 64;
    }
    MemoryPlan plan = PlanMemory(reqs);
    EXPECT_LE(plan.total_bytes, sum);
    for (size_t i = 0; i < reqs.size(); ++i) {
      EXPECT_EQ(plan.offsets[i] % 64, 0);
      for (size_t j = i + 1; j < reqs.size(); ++j) {
        ASSERT_FALSE(Overlap(reqs[i], plan.offsets[i], reqs[j], plan.offsets[j]));
      }
    }
  }
}

}  // namespace
}  // namespace qforge::runtime
