// The .npy format (numpy's NEP 1): a magic string, a version, a little-endian
// header length and a Python dict literal {'descr', 'fortran_order', 'shape'},
// then the raw C-order array. Shared by .npy files and .npz members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io/regular_file.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

// Headers longer than this are refused (numpy itself writes < 1 KiB).
inline constexpr size_t kMaxNpyHeaderBytes = size_t{1} << 20;
// Bytes of a file that always contain the whole header if it is acceptable.
inline constexpr size_t kNpyPrefixBytes = kMaxNpyHeaderBytes + 12;

struct NpyHeader {
  DataType dtype = DataType::kUndefined;
  std::vector<int64_t> dims;
  size_t data_offset = 0;  // where the array starts
  size_t data_bytes = 0;   // element count * element size (overflow-checked)
};

// Bytes needed to parse the header (magic to the end of the header dict),
// from the first kNpyLengthBytes of the file or member.
inline constexpr size_t kNpyLengthBytes = 12;
Result<size_t> NpyHeaderBytes(std::string_view prefix, const std::string& name);

// Parses the header at the start of `prefix` (the first bytes of the file or
// member, at most kNpyPrefixBytes are needed). `name` prefixes errors.
// Fortran order, big-endian and structured dtypes are Unsupported.
Result<NpyHeader> ParseNpyHeader(std::string_view prefix, const std::string& name);

// Parses the header of the .npy file `f` (errors name its path) and checks
// that the file holds exactly the data the header declares.
Result<NpyHeader> ReadNpyFileHeader(const ReadOnlyFile& f);

// The full .npy encoding of `t` (header + data).
Result<std::string> EncodeNpy(const Tensor& t);

}  // namespace qforge::io
