// Checked size arithmetic: the one place where counts and shapes that came
// from a file are multiplied. A plain 64-bit product wraps: [2^31, 2^31]
// float32 is 2^64 bytes, i.e. 0, and a 64-byte buffer would be handed to a
// kernel that writes 2^62 values.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "qforge/limits.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge {

// a * b, false when it does not fit in 64 bits.
inline bool CheckedMul(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }
inline bool CheckedAdd(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_add_overflow(a, b, out); }

// "4096 MiB", "1.5 MiB", "100.0 KiB", "12 bytes": sizes in messages.
std::string ByteSizeString(uint64_t bytes);

// Bytes of a `dtype` tensor of `dims`. InvalidArgument for a negative dim,
// ResourceExhausted when the product overflows or exceeds `limit` (the
// memory budget unless given). `what` names the tensor in the message.
Result<uint64_t> CheckedTensorBytes(DataType dtype, std::span<const int64_t> dims, const std::string& what,
                                    uint64_t limit = MemoryLimit());

}  // namespace qforge
