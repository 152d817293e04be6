// BMP, parsed here: uncompressed (BI_RGB) 8-bit paletted, 24-bit and 32-bit
// images with a BITMAPINFOHEADER or a later, longer header; what image
// tools write by default. Other variants are Unsupported, by name.
#include <cstdint>
#include <cstdlib>

#include "io/data/image_decoders.h"

namespace qforge::io::image_internal {
namespace {

constexpr size_t kFileHeaderBytes = 14;
constexpr size_t kInfoHeaderBytes = 40;  // BITMAPINFOHEADER; V4/V5 extend it

// Little-endian unsigned of `n` bytes at `at` (the caller checked the bounds).
uint32_t Le(std::string_view b, size_t at, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

Result<DecodedImage> DecodeBmp(std::string_view b, const std::string& name, int channels) {
  if (b.size() < kFileHeaderBytes + kInfoHeaderBytes) {
    return InvalidArgument(name + ": truncated BMP image: " + std::to_string(b.size()) +
                           " bytes, shorter than its headers");
  }
  const uint64_t offset = Le(b, 10, 4);
  const uint32_t header = Le(b, 14, 4);
  const uint32_t bpp = Le(b, 28, 2);
  const uint32_t compression = Le(b, 30, 4);
  if (header < kInfoHeaderBytes || compression != 0 || (bpp != 8 && bpp != 24 && bpp != 32)) {
    return Unsupported(name + ": BMP variant not supported (header " + std::to_string(header) +
                       " bytes, compression " + std::to_string(compression) + ", " + std::to_string(bpp) +
                       " bits per pixel); uncompressed 8, 24 and 32-bit BMPs are");
  }
  // A negative height means top-down rows; int64_t keeps -2^31 negatable.
  const int64_t width = static_cast<int32_t>(Le(b, 18, 4));
  const int64_t signed_height = static_cast<int32_t>(Le(b, 22, 4));
  const int64_t height = std::abs(signed_height);
  QF_RETURN_IF_ERROR(CheckImageSize(width, height, channels, name));

  // 8-bit: a palette of 4-byte BGRx entries right after the info header.
  const size_t palette_at = kFileHeaderBytes + header;
  size_t palette_size = 0;
  if (bpp == 8) {
    const uint32_t used = Le(b, 46, 4);
    if (used > 256)
      return InvalidArgument(name + ": BMP palette of " + std::to_string(used) + " colors (at most 256)");
    palette_size = used == 0 ? 256 : used;
    if (palette_at + 4 * palette_size > b.size()) {
      return InvalidArgument(name + ": truncated BMP image: its palette ends past the end of the file");
    }
  }
  // Rows are padded to 4 bytes; the last row may lack its padding.
  const uint64_t row_bytes = static_cast<uint64_t>(width) * bpp / 8;
  const uint64_t stride = (row_bytes + 3) / 4 * 4;
  const uint64_t needed = offset + stride * static_cast<uint64_t>(height - 1) + row_bytes;
  if (needed > b.size()) {
    return InvalidArgument(name + ": truncated BMP image: its header promises " + std::to_string(needed) +
                           " bytes, the file has " + std::to_string(b.size()));
  }
  DecodedImage img;
  img.width = static_cast<int>(width);
  img.height = static_cast<int>(height);
  img.channels = 3;
  img.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  const auto* data = reinterpret_cast<const uint8_t*>(b.data());
  const size_t bytes_per_pixel = bpp / 8;
  for (int64_t y = 0; y < height; ++y) {
    const uint8_t* row =
        data + offset + stride * static_cast<uint64_t>(signed_height < 0 ? y : height - 1 - y);
    uint8_t* out = img.pixels.data() + static_cast<size_t>(y * width) * 3;
    for (int64_t x = 0; x < width; ++x, out += 3) {
      const uint8_t* bgr = row + static_cast<size_t>(x) * bytes_per_pixel;
      if (bpp == 8) {
        if (*bgr >= palette_size) {
          return InvalidArgument(name + ": BMP pixel uses color " + std::to_string(*bgr) + " of a " +
                                 std::to_string(palette_size) + "-color palette");
        }
        bgr = data + palette_at + 4 * size_t{*bgr};
      }
      out[0] = bgr[2];
      out[1] = bgr[1];
      out[2] = bgr[0];
    }
  }
  return img;
}

}  // namespace qforge::io::image_internal
