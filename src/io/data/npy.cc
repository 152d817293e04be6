#include "io/data/npy.h"

#include <cctype>
#include <cstring>
#include <limits>

#include "io/atomic_file.h"
#include "io/data/dataset.h"

namespace qforge::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr int kMaxRank = 32;  // numpy's own limit is 32 (64 since 2.0); more is hostile

struct DescrEntry {
  const char* descr;
  DataType dtype;
};
// '<' little-endian, '|' not applicable (1 byte). numpy writes these spellings.
constexpr DescrEntry kDescrs[] = {
    {"<f4", DataType::kFloat32}, {"<f8", DataType::kFloat64}, {"<f2", DataType::kFloat16},
    {"|u1", DataType::kUInt8},   {"|i1", DataType::kInt8},    {"<i2", DataType::kInt16},
    {"<i4", DataType::kInt32},   {"<i8", DataType::kInt64},   {"|b1", DataType::kBool},
    {"<u1", DataType::kUInt8},   {"<i1", DataType::kInt8},    {"<b1", DataType::kBool},
};

const char* DescrOf(DataType t) {
  for (const DescrEntry& e : kDescrs) {
    if (e.dtype == t) return e.descr;
  }
  return nullptr;
}

// A tiny reader for the Python literal numpy writes: a dict of string keys to
// strings, True/False and tuples of ints. Anything else is rejected.
class HeaderParser {
 public:
  HeaderParser(std::string_view s, const std::string& name) : s_(s), name_(name) {}

  Status Parse(std::string* descr, bool* fortran, std::vector<int64_t>* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    if (!Eat('{')) return Bad("header does not start with '{'");
    while (true) {
      if (Eat('}')) break;
      std::string key;
      QF_RETURN_IF_ERROR(ParseString(&key));
      if (!Eat(':')) return Bad("expected ':' after '" + key + "'");
      if (key == "descr") {
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == '[') {
          return Unsupported(name_ + ": structured npy dtypes are not supported");
        }
        QF_RETURN_IF_ERROR(ParseString(descr));
        have_descr = true;
      } else if (key == "fortran_order") {
        QF_RETURN_IF_ERROR(ParseBool(fortran));
        have_fortran = true;
      } else if (key == "shape") {
        QF_RETURN_IF_ERROR(ParseTuple(shape));
        have_shape = true;
      } else {
        return Bad("unexpected key '" + key + "'");
      }
      if (!Eat(',')) {
        if (!Eat('}')) return Bad("expected ',' or '}'");
        break;
      }
    }
    if (!have_descr || !have_fortran || !have_shape) return Bad("header lacks descr, fortran_order or shape");
    return Status::Ok();
  }

 private:
  Status Bad(const std::string& why) const {
    return InvalidArgument(name_ + ": malformed npy header: " + why);
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  Status ParseString(std::string* out) {
    SkipSpace();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return Bad("expected a string");
    char quote = s_[pos_++];
    size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos) return Bad("unterminated string");
    *out = std::string(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return Status::Ok();
  }
  Status ParseBool(bool* out) {
    SkipSpace();
    if (s_.substr(pos_, 4) == "True") {
      *out = true;
      pos_ += 4;
    } else if (s_.substr(pos_, 5) == "False") {
      *out = false;
      pos_ += 5;
    } else {
      return Bad("expected True or False");
    }
    return Status::Ok();
  }
  Status ParseTuple(std::vector<int64_t>* out) {
    out->clear();
    if (!Eat('(')) return Bad("shape is not a tuple");
    while (!Eat(')')) {
      SkipSpace();
      int64_t v = 0;
      size_t start = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        int digit = s_[pos_++] - '0';
        if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) return Bad("shape dim overflows int64");
        v = v * 10 + digit;
      }
      if (pos_ == start) return Bad("shape dims must be non-negative integers");
      // Python longs may carry an 'L' suffix in files written by numpy on Python 2.
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;
      if (out->size() >= kMaxRank) return Bad("shape has more than " + std::to_string(kMaxRank) + " dims");
      out->push_back(v);
      if (!Eat(',')) {
        if (!Eat(')')) return Bad("expected ',' or ')' in shape");
        break;
      }
    }
    return Status::Ok();
  }

  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
};

uint32_t LoadLe(const char* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

Result<size_t> NpyHeaderBytes(std::string_view prefix, const std::string& name) {
  if (prefix.size() < kMagicLen + 2 || std::memcmp(prefix.data(), kMagic, kMagicLen) != 0) {
    return InvalidArgument(name + ": not an .npy file (bad magic)");
  }
  const int major = static_cast<unsigned char>(prefix[6]);
  int len_bytes = 0;
  if (major == 1) {
    len_bytes = 2;
  } else if (major == 2 || major == 3) {
    len_bytes = 4;
  } else {
    return Unsupported(name + ": npy format version " + std::to_string(major) +
                       " is not supported (1-3 are)");
  }
  const size_t len_at = kMagicLen + 2;
  if (prefix.size() < len_at + len_bytes) return InvalidArgument(name + ": truncated npy header");
  const size_t header_len = LoadLe(prefix.data() + len_at, len_bytes);
  if (header_len > kMaxNpyHeaderBytes) {
    return InvalidArgument(name + ": npy header claims " + std::to_string(header_len) +
                           " bytes, over the limit of " + std::to_string(kMaxNpyHeaderBytes));
  }
  return len_at + len_bytes + header_len;
}

Result<NpyHeader> ParseNpyHeader(std::string_view prefix, const std::string& name) {
  QF_ASSIGN_OR_RETURN(size_t header_end, NpyHeaderBytes(prefix, name));
  const size_t len_bytes = static_cast<unsigned char>(prefix[6]) == 1 ? 2 : 4;
  const size_t header_at = kMagicLen + 2 + len_bytes;
  const size_t header_len = header_end - header_at;
  if (prefix.size() < header_end) {
    return InvalidArgument(name + ": truncated npy header: expected " + std::to_string(header_end) +
                           " bytes, file has " + std::to_string(prefix.size()));
  }
  std::string descr;
  bool fortran = false;
  NpyHeader h;
  HeaderParser parser(prefix.substr(header_at, header_len), name);
  QF_RETURN_IF_ERROR(parser.Parse(&descr, &fortran, &h.dims));
  if (fortran) return Unsupported(name + ": fortran_order arrays are not supported; save with C order");
  for (const DescrEntry& e : kDescrs) {
    if (descr == e.descr) h.dtype = e.dtype;
  }
  if (h.dtype == DataType::kUndefined) {
    const bool big = !descr.empty() && descr[0] == '>';
    return Unsupported(name + ": npy dtype '" + descr + "' is not supported" +
                       (big ? " (big-endian; convert with .astype('<...'))" : ""));
  }
  const int64_t count = CheckedElementCount(h.dims);
  const uint64_t elem = DataTypeSize(h.dtype);
  if (count < 0 || static_cast<uint64_t>(count) > std::numeric_limits<uint64_t>::max() / 16 / elem) {
    return InvalidArgument(name + ": npy shape " + DimsToString(h.dims) + " is too large");
  }
  h.data_offset = header_at + header_len;
  h.data_bytes = static_cast<size_t>(count) * elem;
  return h;
}

Result<std::string> EncodeNpy(const Tensor& t) {
  const char* descr = DescrOf(t.dtype());
  if (descr == nullptr) {
    return Unsupported(std::string("cannot write dtype ") + DataTypeName(t.dtype()) + " as npy");
  }
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.dims().size(); ++i) {
    dict += std::to_string(t.dims()[i]);
    if (t.dims().size() == 1 || i + 1 < t.dims().size()) dict += ",";
    if (i + 1 < t.dims().size()) dict += " ";
  }
  dict += "), }";
  // Pad with spaces so the data starts 64-byte aligned; the header ends in '\n'.
  // Version 2.0 (4-byte length) only when the padded header cannot fit 16 bits.
  const size_t len_bytes = dict.size() + 64 > 0xffff ? 4 : 2;
  const size_t total = kMagicLen + 2 + len_bytes + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(len_bytes == 2 ? 1 : 2);
  out += '\0';
  for (size_t i = 0; i < len_bytes; ++i) out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  out += dict;
  out.append(static_cast<const char*>(t.raw_data()), t.byte_size());
  return out;
}

Result<NpyHeader> ReadNpyFileHeader(const ReadOnlyFile& f) {
  const std::string& path = f.path();
  std::string prefix(std::min<uint64_t>(f.size(), kNpyPrefixBytes), '\0');
  QF_ASSIGN_OR_RETURN(size_t got, f.ReadAt(0, prefix.data(), prefix.size()));
  prefix.resize(got);
  QF_ASSIGN_OR_RETURN(NpyHeader h, ParseNpyHeader(prefix, path));
  const uint64_t expected = h.data_offset + h.data_bytes;
  if (f.size() != expected) {
    return InvalidArgument(path + ": npy shape " + DimsToString(h.dims) + " needs " +
                           std::to_string(expected) + " bytes, file has " + std::to_string(f.size()) +
                           (f.size() < expected ? " (truncated)" : ""));
  }
  return h;
}

Status WriteNpy(const std::string& path, const Tensor& t) {
  QF_ASSIGN_OR_RETURN(std::string bytes, EncodeNpy(t));
  return WriteFileAtomic(path, bytes);
}

Result<Tensor> ReadNpy(const std::string& path) {
  QF_ASSIGN_OR_RETURN(ReadOnlyFile f, ReadOnlyFile::Open(path));
  QF_ASSIGN_OR_RETURN(NpyHeader h, ReadNpyFileHeader(f));
  QF_ASSIGN_OR_RETURN(Tensor t, Tensor::Create(h.dtype, h.dims, path));
  QF_ASSIGN_OR_RETURN(size_t got, f.ReadAt(h.data_offset, t.raw_data(), h.data_bytes));
  if (got != h.data_bytes) return IoError(path + ": read failed: file shrank while being read");
  return t;
}

}  // namespace qforge::io
