#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace qforge::runtime {

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  auto aligned = [](size_t b) { return (b + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; };
  struct Placed {
    size_t offset, end;
    int first, last;
  };
  std::vector<Placed> placed;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    // Buffers alive at the same time, by offset.
    std::vector<Placed> live;
    for (const Placed& p : placed) {
      if (p.first <= r.last && r.first <= p.last) live.push_back(p);
    }
    std::sort(live.begin(), live.end(), [](const Placed& a, const Placed& b) { return a.offset < b.offset; });
    size_t offset = 0;
    const size_t size = aligned(r.bytes);
    for (const Placed& p : live) {
      if (offset + size <= p.offset) break;  // fits in the gap before p
      offset = std::max(offset, p.end);
    }
    placed.push_back({offset, offset + size, r.first, r.last});
    plan.offsets[idx] = static_cast<int64_t>(offset);
    plan.total_bytes = std::max(plan.total_bytes, offset + size);
  }
  return plan;
}

}  // namespace qforge::runtime
