// Offsets for intermediate buffers in one arena. Two buffers may share bytes
// only when their lifetimes [first, last] (node indices) do not overlap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qforge::runtime {

inline constexpr size_t kArenaAlignment = 64;

struct BufferRequest {
  size_t bytes;
  int first;  // index of the producing node
  int last;   // index of the last consuming node
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // one per request, multiples of kArenaAlignment
  size_t total_bytes = 0;
  // The planner's work: tree nodes and buffers examined while placing. It
  // grows as O(n log n) in the requests plus the pairs of buffers alive at
  // the same time (tests bound it rather than time it).
  uint64_t probes = 0;
};

// Greedy by size: the largest buffers are placed first, each at the lowest
// offset that does not collide with an already placed buffer alive at the
// same time (the strategy TFLite's arena planner uses). Buffers alive at
// the same time are found through an index over lifetimes, not a scan of
// every placed buffer.
MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests);

}  // namespace qforge::runtime
