// IDX files (the MNIST / Fashion-MNIST format): magic 0x00 0x00 <type> <rank>,
// `rank` big-endian uint32 dims, then big-endian C-order data. Images are
// type 0x08 (uint8) rank 3, labels type 0x08 rank 1. Files may be gzip'd.
#pragma once

#include <string>

#include "io/data/array_dataset.h"
#include "qforge/status.h"

namespace qforge::io {

// Opens an IDX file (plain or gzip'd, detected from the content) and reads
// its header. The array the header declares must fit the memory budget
// (ResourceExhausted naming the file), so inflation is bounded by it. A
// plain file must be exactly as long as the header says; a gzip'd one's
// trailer (its length mod 2^32) must match, which catches a truncated file
// before any sample is read. The data is read as samples are asked for.
Result<StreamedArray> OpenIdx(const std::string& path);

}  // namespace qforge::io
