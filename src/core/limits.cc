#include <atomic>
#include <cstdio>

#include "core/size_math.h"

namespace qforge {

namespace {
std::atomic<uint64_t> g_memory_limit{kDefaultMemoryLimitBytes};
}

void SetMemoryLimit(uint64_t bytes) { g_memory_limit = bytes == 0 ? kDefaultMemoryLimitBytes : bytes; }
uint64_t MemoryLimit() { return g_memory_limit; }

std::string ByteSizeString(uint64_t bytes) {
  constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024;
  char buf[48];
  if (bytes % kMiB == 0 && bytes > 0) {
    std::snprintf(buf, sizeof(buf), "%llu MiB", static_cast<unsigned long long>(bytes / kMiB));
  } else if (bytes >= kMiB) {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(bytes) / kMiB);
  } else if (bytes >= kKiB) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", static_cast<double>(bytes) / kKiB);
  } else {
    std::snprintf(buf, sizeof(buf), "%llu bytes", static_cast<unsigned long long>(bytes));
  }
  return buf;
}

Result<uint64_t> CheckedTensorBytes(DataType dtype, std::span<const int64_t> dims, const std::string& what,
                                    uint64_t limit) {
  uint64_t bytes = DataTypeSize(dtype);
  bool overflow = false;
  for (int64_t d : dims) {
    if (d < 0) return InvalidArgument(what + ": negative dim in " + DimsToString(dims));
    overflow = overflow || !CheckedMul(bytes, static_cast<uint64_t>(d), &bytes);
  }
  // A zero dim makes the tensor empty whatever the other dims claim.
  for (int64_t d : dims) {
    if (d == 0) return uint64_t{0};
  }
  if (overflow || bytes > limit) {
    return ResourceExhausted(what + ": " + DataTypeName(dtype) + DimsToString(dims) +
                             " is over the memory limit of " + ByteSizeString(limit) + " (--memory-limit)");
  }
  return bytes;
}

}  // namespace qforge
