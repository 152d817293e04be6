#include "io/data/npz.h"

#include <zip.h>

#include <cstring>
#include <memory>

#include "io/data/npy.h"

namespace qforge::io {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }  // read-only: nothing to write back
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

constexpr size_t kChunkBytes = size_t{1} << 20;

std::string MemberKey(const std::string& name) {
  const std::string ext = ".npy";
  if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
    return name.substr(0, name.size() - ext.size());
  }
  return name;
}

// Reads up to `n` more bytes of the member into `out`, growing it as data
// arrives (never trusting the size the archive claims).
Status ReadMember(zip_file_t* f, uint64_t n, std::string* out, const std::string& what) {
  uint64_t done = 0;
  while (done < n) {
    const size_t at = out->size();
    const size_t want = static_cast<size_t>(std::min<uint64_t>(n - done, kChunkBytes));
    out->resize(at + want);
    const zip_int64_t got = zip_fread(f, out->data() + at, want);
    if (got < 0) return InvalidArgument(what + ": corrupt member: " + zip_file_strerror(f));
    out->resize(at + static_cast<size_t>(got));
    if (got == 0) break;
    done += static_cast<uint64_t>(got);
  }
  return Status::Ok();
}

}  // namespace

Result<Tensor> ReadNpzMember(const std::string& path, const std::string& key) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    if (err == ZIP_ER_NOENT || err == ZIP_ER_OPEN) return NotFound(path + ": cannot open: " + msg);
    return InvalidArgument(path + ": not a valid .npz (zip) archive: " + msg);
  }
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
  const std::string what =
      path + ":" + MemberKey(zip_get_name(archive.get(), static_cast<zip_uint64_t>(index), 0));

  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
      !(st.valid & ZIP_STAT_SIZE)) {
    return InvalidArgument(what + ": cannot read the member's size");
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> member(
      zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(index), 0));
  if (!member) return Unsupported(what + ": cannot open member: " + zip_strerror(archive.get()));
  std::string bytes;
  QF_RETURN_IF_ERROR(ReadMember(member.get(), std::min<uint64_t>(st.size, kNpyPrefixBytes), &bytes, what));
  QF_ASSIGN_OR_RETURN(NpyHeader h, ParseNpyHeader(bytes, what));
  if (h.data_bytes > kMaxNpzMemberBytes) {
    return InvalidArgument(what + ": array shape " + DimsToString(h.dims) + " is over the " +
                           std::to_string(kMaxNpzMemberBytes >> 30) + " GiB limit for .npz members");
  }
  const uint64_t expected = h.data_offset + h.data_bytes;
  if (st.size != expected) {
    return InvalidArgument(what + ": npy shape " + DimsToString(h.dims) + " needs " +
                           std::to_string(expected) + " bytes, member has " + std::to_string(st.size));
  }
  if (bytes.size() < expected) {
    QF_RETURN_IF_ERROR(ReadMember(member.get(), expected - bytes.size(), &bytes, what));
  }
  if (bytes.size() != expected) {
    return InvalidArgument(what + ": truncated member: expected " + std::to_string(expected) +
                           " bytes, got " + std::to_string(bytes.size()));
  }
  Tensor t(h.dtype, h.dims);
  if (h.data_bytes > 0) std::memcpy(t.raw_data(), bytes.data() + h.data_offset, h.data_bytes);
  return t;
}

}  // namespace qforge::io
