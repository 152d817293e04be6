// Binary PGM (P5) and PPM (P6), parsed here: the header is four ASCII
// fields, the pixels a raw array whose length the header fixes.
#include <cctype>
#include <cstdint>

#include "io/data/image_decoders.h"

namespace qforge::io::image_internal {
namespace {

// Reads one header field: skips whitespace and '#' comments (to the end of
// the line), then decimal digits. False when there are none, or when the
// number exceeds `max` (checked per digit: no overflow, however many).
bool ReadField(std::string_view b, size_t* at, uint32_t max, uint32_t* value) {
  while (*at < b.size() && (std::isspace(static_cast<unsigned char>(b[*at])) || b[*at] == '#')) {
    if (b[*at] == '#') {
      while (*at < b.size() && b[*at] != '\n' && b[*at] != '\r') ++*at;
    } else {
      ++*at;
    }
  }
  const size_t start = *at;
  uint64_t v = 0;
  while (*at < b.size() && std::isdigit(static_cast<unsigned char>(b[*at]))) {
    v = v * 10 + static_cast<uint64_t>(b[*at] - '0');
    if (v > max) return false;
    ++*at;
  }
  *value = static_cast<uint32_t>(v);
  return *at > start;
}

}  // namespace

Result<DecodedImage> DecodePnm(std::string_view b, const std::string& name, int channels) {
  if (b[1] != '5' && b[1] != '6') {
    return Unsupported(name + ": PNM type P" + std::string(1, b[1]) +
                       " is not supported (binary P5 and P6 are)");
  }
  size_t at = 2;
  uint32_t width = 0, height = 0, maxval = 0;
  // Sizes past the pixel limit are refused by CheckImageSize below with the
  // header's own numbers; the bound here only keeps them in range.
  constexpr uint32_t kMaxField = uint32_t{1} << 30;
  if (!ReadField(b, &at, kMaxField, &width) || !ReadField(b, &at, kMaxField, &height) ||
      !ReadField(b, &at, 65535, &maxval) || maxval == 0 || at >= b.size() ||
      !std::isspace(static_cast<unsigned char>(b[at]))) {
    return InvalidArgument(name +
                           ": bad PNM header (want P5 or P6, width, height, maxval 1..65535, "
                           "then one whitespace byte)");
  }
  ++at;  // the one whitespace byte before the pixels
  QF_RETURN_IF_ERROR(CheckImageSize(width, height, channels, name));
  DecodedImage img;
  img.width = static_cast<int>(width);
  img.height = static_cast<int>(height);
  img.channels = b[1] == '6' ? 3 : 1;
  const size_t samples = size_t{width} * height * static_cast<size_t>(img.channels);
  const size_t sample_bytes = maxval > 255 ? 2 : 1;
  const size_t needed = at + samples * sample_bytes;  // < 2^26 * 3 * 2 + header: no overflow
  if (needed > b.size()) {
    return InvalidArgument(name + ": truncated PNM image: its header promises " + std::to_string(needed) +
                           " bytes, the file has " + std::to_string(b.size()));
  }
  img.pixels.resize(samples);
  const auto* data = reinterpret_cast<const uint8_t*>(b.data() + at);
  for (size_t i = 0; i < samples; ++i) {
    // 16-bit samples are big-endian. A sample above maxval is clamped;
    // samples are scaled to 0..255 (rounded) unless maxval is 255.
    uint32_t v = sample_bytes == 2 ? (uint32_t{data[2 * i]} << 8) | data[2 * i + 1] : data[i];
    if (v > maxval) v = maxval;
    img.pixels[i] = static_cast<uint8_t>(maxval == 255 ? v : (v * 255 + maxval / 2) / maxval);
  }
  return img;
}

}  // namespace qforge::io::image_internal
