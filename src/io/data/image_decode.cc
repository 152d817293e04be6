#include "io/data/image_decode.h"

#include "core/size_math.h"
#include "io/data/image_decoders.h"

namespace qforge::io {
namespace image_internal {

Status CheckImageSize(int64_t width, int64_t height, int channels, const std::string& name) {
  if (width <= 0 || height <= 0 || width > kMaxImagePixels || height > kMaxImagePixels ||
      width * height > kMaxImagePixels) {
    return InvalidArgument(name + ": image size " + std::to_string(width) + "x" + std::to_string(height) +
                           " is outside the accepted range (at most " + std::to_string(kMaxImagePixels) +
                           " pixels)");
  }
  // The decoded pixels as floats, the largest buffer preprocessing makes,
  // must fit the memory budget; checked from the header, before decoding.
  return CheckedTensorBytes(DataType::kFloat32, {{height, width, channels}}, name).status();
}

}  // namespace image_internal

namespace {

bool StartsWith(std::string_view b, std::string_view magic) { return b.substr(0, magic.size()) == magic; }

// Gray to RGB by replication; RGB to gray as PIL's convert("L") does:
// (299 R + 587 G + 114 B) / 1000 in 16-bit fixed point, rounded.
std::vector<uint8_t> ConvertChannels(const DecodedImage& img, int channels) {
  const size_t n = static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
  std::vector<uint8_t> out(n * static_cast<size_t>(channels));
  for (size_t p = 0; p < n; ++p) {
    if (channels == 3) {
      out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = img.pixels[p];
    } else {
      const uint8_t* rgb = &img.pixels[3 * p];
      out[p] = static_cast<uint8_t>((rgb[0] * 19595u + rgb[1] * 38470u + rgb[2] * 7471u + 0x8000u) >> 16);
    }
  }
  return out;
}

}  // namespace

Result<DecodedImage> DecodeImage(std::string_view bytes, const std::string& name, int channels) {
  using namespace image_internal;
  Result<DecodedImage> img = Unsupported(name + ": not a JPEG, PNG, binary PNM (P5/P6) or BMP image");
  if (StartsWith(bytes, "\xFF\xD8\xFF")) {
    img = DecodeJpeg(bytes, name, channels);
  } else if (StartsWith(bytes, "\x89PNG\r\n\x1A\n")) {
    img = DecodePng(bytes, name, channels);
  } else if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7') {
    img = DecodePnm(bytes, name, channels);
  } else if (StartsWith(bytes, "BM")) {
    img = DecodeBmp(bytes, name, channels);
  }
  if (!img.ok() || img->channels == channels) return img;
  img->pixels = ConvertChannels(*img, channels);
  img->channels = channels;
  return img;
}

}  // namespace qforge::io
