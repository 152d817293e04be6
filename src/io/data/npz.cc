#include "io/data/npz.h"

#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <memory>

#include "core/size_math.h"
#include "io/data/npy.h"
#include "io/regular_file.h"

namespace qforge::io {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }  // read-only: nothing to write back
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using Archive = std::unique_ptr<zip_t, ZipCloser>;

std::string MemberKey(const std::string& name) {
  const std::string ext = ".npy";
  if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
    return name.substr(0, name.size() - ext.size());
  }
  return name;
}

Result<Archive> OpenArchive(const std::string& path) {
  QF_ASSIGN_OR_RETURN(ReadOnlyFile file, ReadOnlyFile::Open(path));
  int err = 0;
  Archive archive(zip_fdopen(file.fd(), ZIP_CHECKCONS, &err));
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return InvalidArgument(path + ": not a valid .npz (zip) archive: " + msg);
  }
  file.Release();  // zip_fdopen owns the descriptor once it succeeds
  return archive;
}

// One member of an open archive; libzip checks the CRC when the member's
// data is read to its end and fails that read if it does not match.
class ZipMemberStream : public ByteStream {
 public:
  ZipMemberStream(std::string name, Archive archive, zip_file_t* f)
      : name_(std::move(name)), archive_(std::move(archive)), f_(f) {}

  static Result<std::unique_ptr<ByteStream>> Open(const std::string& path, zip_uint64_t index,
                                                  const std::string& name) {
    QF_ASSIGN_OR_RETURN(Archive archive, OpenArchive(path));
    zip_file_t* f = zip_fopen_index(archive.get(), index, 0);
    if (f == nullptr) return Unsupported(name + ": cannot open member: " + zip_strerror(archive.get()));
    return std::unique_ptr<ByteStream>(new ZipMemberStream(name, std::move(archive), f));
  }

  Result<size_t> Read(void* dst, size_t n) override {
    size_t done = 0;
    while (done < n) {
      const zip_int64_t got = zip_fread(f_.get(), static_cast<char*>(dst) + done, n - done);
      if (got < 0) return InvalidArgument(name_ + ": corrupt member: " + zip_file_strerror(f_.get()));
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

 private:
  std::string name_;
  Archive archive_;  // destroyed after f_ (declared first)
  std::unique_ptr<zip_file_t, ZipFileCloser> f_;
};

}  // namespace

Result<StreamedArray> OpenNpzMember(const std::string& path, const std::string& key) {
  QF_ASSIGN_OR_RETURN(Archive archive, OpenArchive(path));
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  if (entries <= 0) return InvalidArgument(path + ": the .npz archive is empty");
  zip_int64_t index = -1;
  std::string keys;
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* name = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), 0);
    if (name == nullptr) continue;
    const std::string k = MemberKey(name);
    keys += (keys.empty() ? "" : ", ") + k;
    if (index < 0 && (key.empty() || key == k || key == name)) index = i;
  }
  if (index < 0) return NotFound(path + ": no array '" + key + "' in the .npz (it has: " + keys + ")");
  const auto member = static_cast<zip_uint64_t>(index);
  StreamedArray a;
  a.name = path + ":" + MemberKey(zip_get_name(archive.get(), member, 0));
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive.get(), member, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    return InvalidArgument(a.name + ": cannot read the member's size");
  }
  archive.reset();
  a.open = [path, member, name = a.name] { return ZipMemberStream::Open(path, member, name); };
  QF_ASSIGN_OR_RETURN(a.stream, a.open());
  // Read exactly the header, so that the stream stands where the data starts.
  std::string prefix(static_cast<size_t>(std::min<uint64_t>(st.size, kNpyLengthBytes)), '\0');
  QF_ASSIGN_OR_RETURN(size_t got, a.stream->Read(prefix.data(), prefix.size()));
  prefix.resize(got);
  QF_ASSIGN_OR_RETURN(size_t header_end, NpyHeaderBytes(prefix, a.name));
  if (header_end > prefix.size()) {
    prefix.resize(header_end);
    QF_ASSIGN_OR_RETURN(size_t more, a.stream->Read(prefix.data() + got, header_end - got));
    prefix.resize(got + more);
  }
  a.position = prefix.size();
  QF_ASSIGN_OR_RETURN(NpyHeader h, ParseNpyHeader(prefix, a.name));
  QF_RETURN_IF_ERROR(CheckedTensorBytes(h.dtype, h.dims, a.name).status());
  const uint64_t expected = h.data_offset + h.data_bytes;
  if (st.size != expected) {
    return InvalidArgument(a.name + ": npy shape " + DimsToString(h.dims) + " needs " +
                           std::to_string(expected) + " bytes, member has " + std::to_string(st.size));
  }
  a.dtype = h.dtype;
  a.dims = h.dims;
  a.data_offset = h.data_offset;
  return a;
}

}  // namespace qforge::io
