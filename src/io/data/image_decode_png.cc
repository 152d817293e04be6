// PNG through libpng's simplified API (png_image), which catches libpng's
// errors itself and reports them as a return value and a message.
#include <png.h>

#include <memory>

#include "io/data/image_decoders.h"

namespace qforge::io::image_internal {
namespace {

struct PngImageFree {
  void operator()(png_image* image) const { png_image_free(image); }
};

}  // namespace

Result<DecodedImage> DecodePng(std::string_view bytes, const std::string& name, int channels) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  // Frees libpng's state on every path (a no-op once finish_read has).
  const std::unique_ptr<png_image, PngImageFree> owner(&image);
  const auto failed = [&] { return InvalidArgument(name + ": cannot decode PNG image: " + image.message); };
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return failed();
  QF_RETURN_IF_ERROR(CheckImageSize(image.width, image.height, channels, name));
  DecodedImage img;
  img.width = static_cast<int>(image.width);
  img.height = static_cast<int>(image.height);
  img.channels = (image.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
  // Alpha is read, then dropped below, rather than composited: PIL's
  // convert("RGB") drops it too. A 16-bit file without gamma information is
  // taken as sRGB like an 8-bit one (libpng's default would call it linear
  // and brighten it); its samples are rounded to 8 bits.
  const bool alpha = image.format & PNG_FORMAT_FLAG_ALPHA;
  image.format = (img.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY) | (alpha ? PNG_FORMAT_FLAG_ALPHA : 0);
  image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  const int read_channels = img.channels + (alpha ? 1 : 0);
  std::vector<uint8_t> read(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, read.data(), 0, nullptr)) return failed();
  if (!alpha) {
    img.pixels = std::move(read);
    return img;
  }
  const size_t n = static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
  img.pixels.resize(n * static_cast<size_t>(img.channels));
  for (size_t p = 0; p < n; ++p) {
    for (int c = 0; c < img.channels; ++c) {
      img.pixels[p * img.channels + c] = read[p * read_channels + c];
    }
  }
  return img;
}

}  // namespace qforge::io::image_internal
