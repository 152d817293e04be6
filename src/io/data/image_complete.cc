#include "io/data/image_complete.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace qforge::io {
namespace {

uint32_t Le(std::string_view b, size_t at, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + static_cast<size_t>(i)]);
  return v;
}

Status Truncated(const std::string& name, const char* format, uint64_t needed, size_t have) {
  return InvalidArgument(name + ": truncated " + format + " image: its header promises " +
                         std::to_string(needed) + " bytes, the file has " + std::to_string(have));
}

// As stb reads a binary PNM header: "P5"/"P6", then width, height and
// maxval separated by whitespace or '#' comments, then one byte, then data.
Status CheckPnm(std::string_view b, const std::string& name) {
  size_t at = 2;
  uint64_t fields[3] = {};
  for (uint64_t& field : fields) {
    while (at < b.size() && (std::isspace(static_cast<unsigned char>(b[at])) || b[at] == '#')) {
      if (b[at] == '#') {
        while (at < b.size() && b[at] != '\n' && b[at] != '\r') ++at;
      } else {
        ++at;
      }
    }
    while (at < b.size() && std::isdigit(static_cast<unsigned char>(b[at])) && field < (uint64_t{1} << 32)) {
      field = field * 10 + static_cast<uint64_t>(b[at++] - '0');
    }
  }
  ++at;  // the one whitespace byte after maxval
  const uint64_t channels = b[1] == '6' ? 3 : 1;
  const uint64_t sample_bytes = fields[2] > 255 ? 2 : 1;
  // Larger sizes are refused by the pixel limit before this check matters;
  // the bound keeps the product below 2^64.
  if (fields[0] > (uint64_t{1} << 24) || fields[1] > (uint64_t{1} << 24)) return Status::Ok();
  const uint64_t needed = at + fields[0] * fields[1] * channels * sample_bytes;
  if (needed > b.size()) return Truncated(name, "PNM", needed, b.size());
  return Status::Ok();
}

Status CheckBmp(std::string_view b, const std::string& name) {
  if (b.size() < 30) return Truncated(name, "BMP", 30, b.size());
  const uint64_t offset = Le(b, 10, 4);
  const uint32_t header = Le(b, 14, 4);
  uint64_t w = 0, h = 0, bpp = 0;
  if (header == 12) {
    w = Le(b, 18, 2);
    h = Le(b, 20, 2);
    bpp = Le(b, 24, 2);
  } else {
    if (b.size() < 34) return Truncated(name, "BMP", 34, b.size());
    const uint32_t compression = Le(b, 30, 4);
    if (compression != 0 && compression != 3) return Status::Ok();  // stb refuses RLE itself
    // Height is negative for top-down rows.
    w = static_cast<uint64_t>(std::abs(int64_t{static_cast<int32_t>(Le(b, 18, 4))}));
    h = static_cast<uint64_t>(std::abs(int64_t{static_cast<int32_t>(Le(b, 22, 4))}));
    bpp = Le(b, 28, 2);
  }
  if (w == 0 || h == 0 || w > (uint64_t{1} << 24) || h > (uint64_t{1} << 24) || bpp > 32) return Status::Ok();
  const uint64_t stride = (w * bpp + 31) / 32 * 4;
  const uint64_t needed = offset + stride * (h - 1) + (w * bpp + 7) / 8;
  if (needed > b.size()) return Truncated(name, "BMP", needed, b.size());
  return Status::Ok();
}

// Walks the marker segments to the first scan (SOS), then looks for the
// end-of-image marker: entropy-coded data never holds 0xFF 0xD9 (a 0xFF
// data byte is stuffed as 0xFF 0x00), so it is there only if the file is whole.
Status CheckJpeg(std::string_view b, const std::string& name) {
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[at]) != 0xFF) return Status::Ok();  // corrupt: the decoder says so
    const uint8_t marker = static_cast<uint8_t>(b[at + 1]);
    if (marker == 0xFF) {
      ++at;  // fill byte
      continue;
    }
    if (marker == 0xDA) break;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    const size_t length = (size_t{static_cast<uint8_t>(b[at + 2])} << 8) | static_cast<uint8_t>(b[at + 3]);
    at += 2 + length;
  }
  if (at + 4 > b.size() || b.find("\xFF\xD9", at) == std::string_view::npos) {
    return InvalidArgument(name + ": truncated JPEG image: no end-of-image marker after its first scan");
  }
  return Status::Ok();
}

}  // namespace

Status CheckImageComplete(std::string_view b, const std::string& name) {
  if (b.size() >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6')) return CheckPnm(b, name);
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return CheckBmp(b, name);
  if (b.size() >= 2 && static_cast<uint8_t>(b[0]) == 0xFF && static_cast<uint8_t>(b[1]) == 0xD8) {
    return CheckJpeg(b, name);
  }
  return Status::Ok();
}

}  // namespace qforge::io
