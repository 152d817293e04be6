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
};

// Greedy by size: the largest buffers are placed first, each at the lowest
// offset that does not collide with an already placed buffer alive at the
// same time (the strategy TFLite's arena planner uses).
MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests);

}  // namespace qforge::runtime
