// .npz archives (np.savez / np.savez_compressed): a zip of .npy members,
// stored or deflated. Read through libzip, which also verifies member CRCs.
#pragma once

#include <string>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

// Whole members are held in memory; larger ones are refused.
inline constexpr uint64_t kMaxNpzMemberBytes = uint64_t{4} << 30;

// Reads member `key` ("x" or "x.npy"); an empty key reads the first member.
// A missing key is NotFound listing the keys present.
Result<Tensor> ReadNpzMember(const std::string& path, const std::string& key);

}  // namespace qforge::io
