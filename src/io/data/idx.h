// IDX files (the MNIST / Fashion-MNIST format): magic 0x00 0x00 <type> <rank>,
// `rank` big-endian uint32 dims, then big-endian C-order data. Images are
// type 0x08 (uint8) rank 3, labels type 0x08 rank 1. Files may be gzip'd.
#pragma once

#include <string>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

// Whole IDX arrays are held in memory; larger claims are refused up front.
inline constexpr uint64_t kMaxIdxBytes = uint64_t{4} << 30;

// Reads an IDX file (plain or gzip'd, detected from the content) into a
// native-endian tensor with the file's dims and element type.
Result<Tensor> ReadIdx(const std::string& path);

}  // namespace qforge::io
