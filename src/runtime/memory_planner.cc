#include "runtime/memory_planner.h"

#include <algorithm>
#include <climits>
#include <numeric>

namespace qforge::runtime {

namespace {

// The placed buffers, found by lifetime: a segment tree over `first` (node
// indices) whose nodes keep the largest `last` below them, so a query for
// the buffers alive during [first, last] descends only into subtrees that
// hold one: O((k + 1) log n) for k buffers found, instead of a scan of
// every buffer placed so far (which made planning quadratic in the nodes).
class LiveIndex {
 public:
  explicit LiveIndex(int max_time) {
    while (leaves_ <= max_time) leaves_ *= 2;
    max_last_.assign(2 * static_cast<size_t>(leaves_), INT_MIN);
    at_first_.resize(static_cast<size_t>(leaves_));
  }

  void Insert(size_t id, int first, int last) {
    at_first_[static_cast<size_t>(first)].push_back(id);
    for (size_t i = static_cast<size_t>(leaves_ + first); i >= 1; i /= 2) {
      max_last_[i] = std::max(max_last_[i], last);
    }
  }

  // Appends the ids of inserted buffers alive at some time in [first, last].
  void Query(int first, int last, const std::vector<BufferRequest>& requests, std::vector<size_t>* out,
             uint64_t* probes) const {
    Visit(1, 0, leaves_ - 1, first, last, requests, out, probes);
  }

 private:
  void Visit(size_t node, int lo, int hi, int first, int last, const std::vector<BufferRequest>& requests,
             std::vector<size_t>* out, uint64_t* probes) const {
    ++*probes;
    if (lo > last || max_last_[node] < first) return;
    if (lo == hi) {
      for (size_t id : at_first_[static_cast<size_t>(lo)]) {
        ++*probes;
        if (requests[id].last >= first) out->push_back(id);
      }
      return;
    }
    const int mid = lo + (hi - lo) / 2;
    Visit(2 * node, lo, mid, first, last, requests, out, probes);
    Visit(2 * node + 1, mid + 1, hi, first, last, requests, out, probes);
  }

  int leaves_ = 1;
  std::vector<int> max_last_;                  // per tree node, INT_MIN when empty
  std::vector<std::vector<size_t>> at_first_;  // per leaf: buffers produced at that node
};

}  // namespace

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  auto aligned = [](size_t b) { return (b + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; };
  int max_time = 0;
  for (const BufferRequest& r : requests) max_time = std::max({max_time, r.first, r.last});
  LiveIndex index(max_time);
  std::vector<size_t> live;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    // Buffers alive at the same time, by offset (the order of equal offsets
    // does not change the gap found).
    live.clear();
    index.Query(r.first, r.last, requests, &live, &plan.probes);
    std::sort(live.begin(), live.end(),
              [&](size_t a, size_t b) { return plan.offsets[a] < plan.offsets[b]; });
    size_t offset = 0;
    const size_t size = aligned(r.bytes);
    for (size_t id : live) {
      const size_t p_offset = static_cast<size_t>(plan.offsets[id]);
      if (offset + size <= p_offset) break;  // fits in the gap before it
      offset = std::max(offset, p_offset + aligned(requests[id].bytes));
    }
    plan.offsets[idx] = static_cast<int64_t>(offset);
    plan.total_bytes = std::max(plan.total_bytes, offset + size);
    index.Insert(idx, r.first, r.last);
  }
  return plan;
}

}  // namespace qforge::runtime
