// Resource limits for untrusted models and data. Model and data files are
// downloaded from anywhere: a 100-byte file can claim a [2^31, 2^31] tensor,
// so every allocation a file can cause is counted against one budget.
#pragma once

#include <cstdint>

namespace qforge {

// The default memory budget: 4 GiB. Enough for every model TFLite and ONNX
// files without external data can hold (both formats stop at 2 GiB) plus
// their activations; the CLI's --memory-limit raises or lowers it.
inline constexpr uint64_t kDefaultMemoryLimitBytes = uint64_t{4} << 30;

// The most bytes one model may take (weights, constants folded at load, the
// runtime's arena and its run-time tensors) and, separately, the most one
// data set or batch read from files may take. Process-wide; 0 means the default.
void SetMemoryLimit(uint64_t bytes);
uint64_t MemoryLimit();

}  // namespace qforge
