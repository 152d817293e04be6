#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

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

// The planner before it indexed lifetimes: every placed buffer scanned for
// each new one (quadratic). The indexed planner must place exactly as it did.
MemoryPlan ScanAllPlan(const std::vector<BufferRequest>& requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  std::vector<size_t> placed;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    std::vector<std::pair<size_t, size_t>> live;  // offset, end
    for (size_t p : placed) {
      if (requests[p].first <= r.last && r.first <= requests[p].last) {
        const size_t off = static_cast<size_t>(plan.offsets[p]);
        live.push_back({off, off + (requests[p].bytes + 63) / 64 * 64});
      }
    }
    std::sort(live.begin(), live.end());
    size_t offset = 0;
    const size_t size = (r.bytes + 63) / 64 * 64;
    for (const auto& [off, end] : live) {
      if (offset + size <= off) break;
      offset = std::max(offset, end);
    }
    plan.offsets[idx] = static_cast<int64_t>(offset);
    plan.total_bytes = std::max(plan.total_bytes, offset + size);
    placed.push_back(idx);
  }
  return plan;
}

TEST(MemoryPlanner, PlacesAsTheScanOfEveryPlacedBuffer) {
  uint32_t seed = 777;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> reqs;
    const int n = 1 + static_cast<int>(next() % 120);
    for (int i = 0; i < n; ++i) {
      const int first = static_cast<int>(next() % 100);
      const int last = first + static_cast<int>(next() % (trial % 2 == 0 ? 5 : 60));
      reqs.push_back({1 + next() % (trial % 3 == 0 ? 256 : 100000), first, last});
    }
    const MemoryPlan want = ScanAllPlan(reqs);
    const MemoryPlan got = PlanMemory(reqs);
    ASSERT_EQ(got.offsets, want.offsets) << "trial " << trial;
    ASSERT_EQ(got.total_bytes, want.total_bytes);
  }
}

// 200k nodes in a chain with five long-lived buffers: the work grows as
// n log n, not n^2 (the scan of every placed buffer took 40 s here).
TEST(MemoryPlanner, WorkGrowsAsNLogNOnLongGraphs) {
  auto probes_for = [](int n) {
    std::vector<BufferRequest> reqs;
    for (int i = 0; i < n; ++i) {
      reqs.push_back({static_cast<size_t>(1000 + (i * 7919) % 5000), i, i + 1});
      if (i % (n / 5) == 0) reqs.push_back({64, i, n});  // alive to the end
    }
    return PlanMemory(reqs).probes;
  };
  const uint64_t small = probes_for(20000), large = probes_for(200000);
  EXPECT_LT(large, 200000u * 200u);
  // Ten times the nodes: about ten times the work (times the log), never a hundred.
  EXPECT_LT(large, 20 * small) << small << " -> " << large;
}

}  // namespace
}  // namespace qforge::runtime
