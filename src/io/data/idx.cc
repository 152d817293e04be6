#include "io/data/idx.h"

#include <zlib.h>

#include <cstring>
#include <memory>
#include <vector>

namespace qforge::io {
namespace {

constexpr int kMaxIdxRank = 8;
constexpr size_t kChunkBytes = size_t{1} << 20;

Result<DataType> IdxType(uint8_t code, const std::string& path) {
  switch (code) {
    case 0x08:
      return DataType::kUInt8;
    case 0x09:
      return DataType::kInt8;
    case 0x0B:
      return DataType::kInt16;
    case 0x0C:
      return DataType::kInt32;
    case 0x0D:
      return DataType::kFloat32;
    case 0x0E:
      return DataType::kFloat64;
    default:
      return InvalidArgument(path + ": not an IDX file (unknown type code " + std::to_string(code) + ")");
  }
}

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to `n` bytes; returns how many were read, or -1 on a stream error.
int64_t ReadUpTo(gzFile f, uint8_t* dst, uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    const unsigned want = static_cast<unsigned>(std::min<uint64_t>(n - done, kChunkBytes));
    const int got = gzread(f, dst + done, want);
    if (got < 0) return -1;
    if (got == 0) break;
    done += static_cast<uint64_t>(got);
  }
  return static_cast<int64_t>(done);
}

Status StreamError(gzFile f, const std::string& path) {
  int errnum = 0;
  const char* msg = gzerror(f, &errnum);
  return InvalidArgument(path + ": corrupt gzip data: " + (msg ? msg : "unknown error"));
}

}  // namespace

Result<Tensor> ReadIdx(const std::string& path) {
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) return NotFound(path + ": cannot open");
  uint8_t head[4];
  int64_t got = ReadUpTo(f.get(), head, 4);
  if (got < 0) return StreamError(f.get(), path);
  if (got < 4 || head[0] != 0 || head[1] != 0) return InvalidArgument(path + ": not an IDX file (bad magic)");
  QF_ASSIGN_OR_RETURN(DataType dtype, IdxType(head[2], path));
  const int rank = head[3];
  if (rank < 1 || rank > kMaxIdxRank) {
    return InvalidArgument(path + ": IDX rank " + std::to_string(rank) + " is outside 1.." +
                           std::to_string(kMaxIdxRank));
  }
  std::vector<uint8_t> dim_bytes(static_cast<size_t>(4 * rank));
  got = ReadUpTo(f.get(), dim_bytes.data(), dim_bytes.size());
  if (got < 0) return StreamError(f.get(), path);
  if (got < static_cast<int64_t>(dim_bytes.size())) return InvalidArgument(path + ": truncated IDX header");
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    const uint8_t* p = &dim_bytes[static_cast<size_t>(4 * i)];
    dims.push_back((int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | int64_t{p[3]});
  }
  const int64_t count = CheckedElementCount(dims);
  const uint64_t elem = DataTypeSize(dtype);
  if (count < 0 || static_cast<uint64_t>(count) > kMaxIdxBytes / elem) {
    return InvalidArgument(path + ": IDX shape " + DimsToString(dims) + " is larger than the " +
                           std::to_string(kMaxIdxBytes >> 30) + " GiB limit");
  }
  const uint64_t want = static_cast<uint64_t>(count) * elem;
  // Grow while reading: a hostile header must not make us allocate what the
  // (possibly tiny, compressed) file does not contain.
  std::vector<uint8_t> data;
  while (data.size() < want) {
    const size_t at = data.size();
    data.resize(at + static_cast<size_t>(std::min<uint64_t>(want - at, kChunkBytes)));
    got = ReadUpTo(f.get(), data.data() + at, data.size() - at);
    if (got < 0) return StreamError(f.get(), path);
    if (static_cast<uint64_t>(got) < data.size() - at) {
      return InvalidArgument(path + ": truncated IDX data: shape " + DimsToString(dims) + " needs " +
                             std::to_string(want) + " bytes, file has " + std::to_string(at + got));
    }
  }
  uint8_t extra;
  got = ReadUpTo(f.get(), &extra, 1);
  if (got < 0) return StreamError(f.get(), path);
  if (got != 0) {
    return InvalidArgument(path + ": IDX file has data after the " + std::to_string(want) +
                           " bytes of shape " + DimsToString(dims));
  }
  Tensor t(dtype, dims);
  auto* out = static_cast<uint8_t*>(t.raw_data());
  // IDX is big-endian: reverse the bytes of each element.
  for (uint64_t i = 0; i < static_cast<uint64_t>(count); ++i) {
    for (uint64_t b = 0; b < elem; ++b) out[i * elem + b] = data[i * elem + (elem - 1 - b)];
  }
  return t;
}

}  // namespace qforge::io
