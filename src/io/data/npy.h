// The .npy format (numpy's NEP 1): a magic string, a version, a little-endian
// header length and a Python dict literal {'descr', 'fortran_order', 'shape'},
// then the raw C-order array. Shared by .npy files and .npz members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

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

// Parses the header at the start of `prefix` (the first bytes of the file or
// member, at most kNpyPrefixBytes are needed). `name` prefixes errors.
// Fortran order, big-endian and structured dtypes are Unsupported.
Result<NpyHeader> ParseNpyHeader(std::string_view prefix, const std::string& name);

// Parses the header of the .npy file opened as `f` (which names errors with
// `path`; NotFound if `f` failed to open) and checks that the file holds
// exactly the data the header declares.
Result<NpyHeader> ReadNpyFileHeader(const std::string& path, std::ifstream& f);

// The full .npy encoding of `t` (header + data).
Result<std::string> EncodeNpy(const Tensor& t);

}  // namespace qforge::io
