// .npz archives (np.savez / np.savez_compressed): a zip of .npy members,
// stored or deflated, read through libzip.
#pragma once

#include <string>

#include "io/data/array_dataset.h"
#include "qforge/status.h"

namespace qforge::io {

// Opens member `key` ("x" or "x.npy"; empty: the first member) and reads its
// npy header; a missing key is NotFound listing the keys present. The
// archive must be consistent (ZIP_CHECKCONS); the member's size in the
// central directory must be what its header declares, and that array must
// fit the memory budget (ResourceExhausted), which bounds inflation. The
// data is read as samples are asked for; the member's CRC is verified when
// its last sample is read.
Result<StreamedArray> OpenNpzMember(const std::string& path, const std::string& key);

}  // namespace qforge::io
