#include "io/data/idx.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <vector>

#include "core/size_math.h"
#include "io/regular_file.h"

namespace qforge::io {
namespace {

constexpr int kMaxIdxRank = 8;
constexpr uint8_t kGzipMagic[2] = {0x1f, 0x8b};

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

// zlib reads gzip'd and plain files alike; at the end of a gzip member it
// checks the member's CRC-32 and length and reports a mismatch as an error.
class GzStream : public ByteStream {
 public:
  GzStream(std::string path, gzFile f) : path_(std::move(path)), f_(f) {}

  static Result<std::unique_ptr<ByteStream>> Open(const std::string& path) {
    QF_ASSIGN_OR_RETURN(ReadOnlyFile file, ReadOnlyFile::Open(path));
    const int fd = file.Release();
    gzFile f = gzdopen(fd, "rb");
    if (f == nullptr) {
      ::close(fd);
      return IoError(path + ": cannot open");
    }
    return std::unique_ptr<ByteStream>(new GzStream(path, f));
  }

  Result<size_t> Read(void* dst, size_t n) override {
    size_t done = 0;
    while (done < n) {
      const unsigned want = static_cast<unsigned>(std::min<size_t>(n - done, INT_MAX / 2));
      const int got = gzread(f_.get(), static_cast<char*>(dst) + done, want);
      if (got < 0) {
        int errnum = 0;
        const char* msg = gzerror(f_.get(), &errnum);
        return InvalidArgument(path_ + ": corrupt gzip data: " + (msg ? msg : "unknown error"));
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

 private:
  std::string path_;
  std::unique_ptr<gzFile_s, GzCloser> f_;
};

// Whether `path` is gzip'd, its size, and for a gzip'd file the size its
// trailer records (the uncompressed length mod 2^32).
Result<bool> GzipTrailerSize(const std::string& path, uint64_t* file_size, uint32_t* size) {
  QF_ASSIGN_OR_RETURN(ReadOnlyFile f, ReadOnlyFile::Open(path));
  *file_size = f.size();
  uint8_t head[2] = {};
  QF_ASSIGN_OR_RETURN(size_t got, f.ReadAt(0, head, 2));
  if (got < 2 || head[0] != kGzipMagic[0] || head[1] != kGzipMagic[1]) return false;
  uint8_t tail[4] = {};
  if (f.size() < 18) return InvalidArgument(path + ": truncated gzip file");
  QF_ASSIGN_OR_RETURN(got, f.ReadAt(f.size() - 4, tail, 4));
  if (got != 4) return IoError(path + ": read failed");
  *size =
      uint32_t{tail[0]} | (uint32_t{tail[1]} << 8) | (uint32_t{tail[2]} << 16) | (uint32_t{tail[3]} << 24);
  return true;
}

Status ReadHeaderBytes(ByteStream& s, uint8_t* dst, size_t n, const std::string& path, uint64_t* position) {
  QF_ASSIGN_OR_RETURN(size_t got, s.Read(dst, n));
  *position += got;
  if (got != n) return InvalidArgument(path + ": truncated IDX header");
  return Status::Ok();
}

}  // namespace

Result<StreamedArray> OpenIdx(const std::string& path) {
  uint32_t trailer_size = 0;
  uint64_t file_size = 0;
  QF_ASSIGN_OR_RETURN(bool gzipped, GzipTrailerSize(path, &file_size, &trailer_size));
  StreamedArray a;
  a.name = path;
  a.big_endian = true;
  a.open = [path] { return GzStream::Open(path); };
  QF_ASSIGN_OR_RETURN(a.stream, a.open());
  uint8_t head[4];
  QF_RETURN_IF_ERROR(ReadHeaderBytes(*a.stream, head, 4, path, &a.position));
  if (head[0] != 0 || head[1] != 0) return InvalidArgument(path + ": not an IDX file (bad magic)");
  QF_ASSIGN_OR_RETURN(a.dtype, IdxType(head[2], path));
  const int rank = head[3];
  if (rank < 1 || rank > kMaxIdxRank) {
    return InvalidArgument(path + ": IDX rank " + std::to_string(rank) + " is outside 1.." +
                           std::to_string(kMaxIdxRank));
  }
  std::vector<uint8_t> dim_bytes(static_cast<size_t>(4 * rank));
  QF_RETURN_IF_ERROR(ReadHeaderBytes(*a.stream, dim_bytes.data(), dim_bytes.size(), path, &a.position));
  for (int i = 0; i < rank; ++i) {
    const uint8_t* p = &dim_bytes[static_cast<size_t>(4 * i)];
    a.dims.push_back((int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | int64_t{p[3]});
  }
  a.data_offset = a.position;
  QF_ASSIGN_OR_RETURN(uint64_t data_bytes, CheckedTensorBytes(a.dtype, a.dims, path));
  const uint64_t total = a.data_offset + data_bytes;
  if (gzipped && trailer_size != static_cast<uint32_t>(total)) {
    return InvalidArgument(path + ": IDX shape " + DimsToString(a.dims) + " needs " + std::to_string(total) +
                           " bytes, the gzip trailer records " + std::to_string(trailer_size) +
                           " (mod 2^32): truncated or corrupt");
  }
  if (!gzipped && file_size != total) {
    const uint64_t have = file_size > a.data_offset ? file_size - a.data_offset : 0;
    return InvalidArgument(path + ": IDX shape " + DimsToString(a.dims) + " needs " +
                           std::to_string(data_bytes) + " bytes of data, file has " + std::to_string(have) +
                           (have < data_bytes ? " (truncated)" : ""));
  }
  return a;
}

}  // namespace qforge::io
